/*
 * ntddk.h -- ddilint's own minimal re-statement of the ntddk.h part of the
 * documented Windows kernel DDI: process, thread and image-load notify
 * routines and the Ps* routines that register them, plus a few ntddk-only
 * basics. Written for ddilint from the public documentation
 * (learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/); it is not the
 * WDK header.
 *
 * IRQL annotations follow the "Requirements" table of each DDI's page. As
 * in the WDK, the notify-routine registrations carry no
 * _Must_inspect_result_: ddilint's own knowledge base decides which results
 * must be checked.
 */
#pragma once
#ifndef _DDILINT_NTDDK_H_
#define _DDILINT_NTDDK_H_

#include <wdm.h>

EXTERN_C_START

/* ---------------------------------------------------------------------
 * Image-load notification (IMAGE_INFO, PLOAD_IMAGE_NOTIFY_ROUTINE).
 * ------------------------------------------------------------------- */
#define IMAGE_ADDRESSING_MODE_32BIT 3

/* Signing levels reported in IMAGE_INFO.ImageSignatureLevel. */
#define SE_SIGNING_LEVEL_UNCHECKED      0x00000000
#define SE_SIGNING_LEVEL_UNSIGNED       0x00000001
#define SE_SIGNING_LEVEL_ENTERPRISE     0x00000002
#define SE_SIGNING_LEVEL_CUSTOM_1       0x00000003
#define SE_SIGNING_LEVEL_DEVELOPER      SE_SIGNING_LEVEL_CUSTOM_1
#define SE_SIGNING_LEVEL_AUTHENTICODE   0x00000004
#define SE_SIGNING_LEVEL_CUSTOM_2       0x00000005
#define SE_SIGNING_LEVEL_STORE          0x00000006
#define SE_SIGNING_LEVEL_CUSTOM_3       0x00000007
#define SE_SIGNING_LEVEL_ANTIMALWARE    SE_SIGNING_LEVEL_CUSTOM_3
#define SE_SIGNING_LEVEL_MICROSOFT      0x00000008
#define SE_SIGNING_LEVEL_CUSTOM_4       0x00000009
#define SE_SIGNING_LEVEL_CUSTOM_5       0x0000000A
#define SE_SIGNING_LEVEL_DYNAMIC_CODEGEN 0x0000000B
#define SE_SIGNING_LEVEL_WINDOWS        0x0000000C
#define SE_SIGNING_LEVEL_CUSTOM_7       0x0000000D
#define SE_SIGNING_LEVEL_WINDOWS_TCB    0x0000000E
#define SE_SIGNING_LEVEL_CUSTOM_6       0x0000000F

/* Signature types reported in IMAGE_INFO.ImageSignatureType. */
typedef enum _SE_IMAGE_SIGNATURE_TYPE {
    SeImageSignatureNone = 0,
    SeImageSignatureEmbedded,
    SeImageSignatureCache,
    SeImageSignatureCatalogCached,
    SeImageSignatureCatalogNotCached,
    SeImageSignatureCatalogHint,
    SeImageSignaturePackageCatalog,
    SeImageSignaturePplMitigated
} SE_IMAGE_SIGNATURE_TYPE, *PSE_IMAGE_SIGNATURE_TYPE;

typedef struct _IMAGE_INFO {
    union {
        ULONG Properties;
        struct {
            ULONG ImageAddressingMode : 8;
            ULONG SystemModeImage : 1;
            ULONG ImageMappedToAllPids : 1;
            ULONG ExtendedInfoPresent : 1;
            ULONG MachineTypeMismatch : 1;
            ULONG ImageSignatureLevel : 4;
            ULONG ImageSignatureType : 3;
            ULONG ImagePartialMap : 1;
            ULONG Reserved : 12;
        };
    };
    PVOID ImageBase;
    ULONG ImageSelector;
    SIZE_T ImageSize;
    ULONG ImageSectionNumber;
} IMAGE_INFO, *PIMAGE_INFO;

/* When IMAGE_INFO.ExtendedInfoPresent is set, the IMAGE_INFO is the
 * ImageInfo member of an IMAGE_INFO_EX (use CONTAINING_RECORD). */
typedef struct _IMAGE_INFO_EX {
    SIZE_T Size;
    IMAGE_INFO ImageInfo;
    struct _FILE_OBJECT *FileObject;
} IMAGE_INFO_EX, *PIMAGE_INFO_EX;

typedef
_Function_class_(LOAD_IMAGE_NOTIFY_ROUTINE)
_IRQL_requires_(PASSIVE_LEVEL)
_IRQL_requires_same_
VOID
LOAD_IMAGE_NOTIFY_ROUTINE(
    _In_opt_ PUNICODE_STRING FullImageName,
    _In_ HANDLE ProcessId,
    _In_ PIMAGE_INFO ImageInfo
    );
typedef LOAD_IMAGE_NOTIFY_ROUTINE *PLOAD_IMAGE_NOTIFY_ROUTINE;

/* Flags of PsSetLoadImageNotifyRoutineEx. */
#define PS_IMAGE_NOTIFY_CONFLICTING_ARCHITECTURE 0x1

/* ---------------------------------------------------------------------
 * Process-creation notification.
 * ------------------------------------------------------------------- */
typedef
_Function_class_(CREATE_PROCESS_NOTIFY_ROUTINE)
_IRQL_requires_(PASSIVE_LEVEL)
_IRQL_requires_same_
VOID
CREATE_PROCESS_NOTIFY_ROUTINE(
    _In_ HANDLE ParentId,
    _In_ HANDLE ProcessId,
    _In_ BOOLEAN Create
    );
typedef CREATE_PROCESS_NOTIFY_ROUTINE *PCREATE_PROCESS_NOTIFY_ROUTINE;

typedef struct _PS_CREATE_NOTIFY_INFO {
    _In_ SIZE_T Size;
    union {
        _In_ ULONG Flags;
        struct {
            _In_ ULONG FileOpenNameAvailable : 1;
            _In_ ULONG IsSubsystemProcess : 1;
            _In_ ULONG Reserved : 30;
        };
    };
    _In_ HANDLE ParentProcessId;
    _In_ CLIENT_ID CreatingThreadId;
    _Inout_ struct _FILE_OBJECT *FileObject;
    _In_ PCUNICODE_STRING ImageFileName;
    _In_opt_ PCUNICODE_STRING CommandLine;
    _Inout_ NTSTATUS CreationStatus;
} PS_CREATE_NOTIFY_INFO, *PPS_CREATE_NOTIFY_INFO;

typedef
_Function_class_(CREATE_PROCESS_NOTIFY_ROUTINE_EX)
_IRQL_requires_(PASSIVE_LEVEL)
_IRQL_requires_same_
VOID
CREATE_PROCESS_NOTIFY_ROUTINE_EX(
    _Inout_ PEPROCESS Process,
    _In_ HANDLE ProcessId,
    _Inout_opt_ PPS_CREATE_NOTIFY_INFO CreateInfo
    );
typedef CREATE_PROCESS_NOTIFY_ROUTINE_EX *PCREATE_PROCESS_NOTIFY_ROUTINE_EX;

typedef enum _PSCREATEPROCESSNOTIFYTYPE {
    PsCreateProcessNotifySubsystems = 0
} PSCREATEPROCESSNOTIFYTYPE;

/* ---------------------------------------------------------------------
 * Thread-creation notification.
 * ------------------------------------------------------------------- */
typedef
_Function_class_(CREATE_THREAD_NOTIFY_ROUTINE)
_IRQL_requires_(PASSIVE_LEVEL)
_IRQL_requires_same_
VOID
CREATE_THREAD_NOTIFY_ROUTINE(
    _In_ HANDLE ProcessId,
    _In_ HANDLE ThreadId,
    _In_ BOOLEAN Create
    );
typedef CREATE_THREAD_NOTIFY_ROUTINE *PCREATE_THREAD_NOTIFY_ROUTINE;

typedef enum _PSCREATETHREADNOTIFYTYPE {
    PsCreateThreadNotifyNonSystem = 0,
    PsCreateThreadNotifySubsystems = 1
} PSCREATETHREADNOTIFYTYPE;

/* ---------------------------------------------------------------------
 * Notify-routine registration and removal (Ps*).
 * ------------------------------------------------------------------- */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
NTSTATUS
PsSetLoadImageNotifyRoutine(
    _In_ PLOAD_IMAGE_NOTIFY_ROUTINE NotifyRoutine
    );

_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
NTSTATUS
PsSetLoadImageNotifyRoutineEx(
    _In_ PLOAD_IMAGE_NOTIFY_ROUTINE NotifyRoutine,
    _In_ ULONG_PTR Flags
    );

/* The documentation page allows <= APC_LEVEL. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI
NTSTATUS
PsRemoveLoadImageNotifyRoutine(
    _In_ PLOAD_IMAGE_NOTIFY_ROUTINE NotifyRoutine
    );

_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
NTSTATUS
PsSetCreateProcessNotifyRoutine(
    _In_ PCREATE_PROCESS_NOTIFY_ROUTINE NotifyRoutine,
    _In_ BOOLEAN Remove
    );

_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
NTSTATUS
PsSetCreateProcessNotifyRoutineEx(
    _In_ PCREATE_PROCESS_NOTIFY_ROUTINE_EX NotifyRoutine,
    _In_ BOOLEAN Remove
    );

_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
NTSTATUS
PsSetCreateProcessNotifyRoutineEx2(
    _In_ PSCREATEPROCESSNOTIFYTYPE NotifyType,
    _In_ PVOID NotifyInformation,
    _In_ BOOLEAN Remove
    );

_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
NTSTATUS
PsSetCreateThreadNotifyRoutine(
    _In_ PCREATE_THREAD_NOTIFY_ROUTINE NotifyRoutine
    );

_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
NTSTATUS
PsSetCreateThreadNotifyRoutineEx(
    _In_ PSCREATETHREADNOTIFYTYPE NotifyType,
    _In_ PVOID NotifyInformation
    );

/* The documentation page allows <= APC_LEVEL. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI
NTSTATUS
PsRemoveCreateThreadNotifyRoutine(
    _In_ PCREATE_THREAD_NOTIFY_ROUTINE NotifyRoutine
    );

/* ---------------------------------------------------------------------
 * Current process and thread, process and thread identity.
 * ------------------------------------------------------------------- */
/* "Any level" on the documentation page. */
_IRQL_requires_max_(HIGH_LEVEL)
NTKERNELAPI
HANDLE
PsGetCurrentProcessId(
    VOID
    );

_IRQL_requires_max_(HIGH_LEVEL)
NTKERNELAPI
HANDLE
PsGetCurrentThreadId(
    VOID
    );

/* IoGetCurrentProcess, PsGetCurrentProcess and PsGetCurrentThread are
 * documented under wdm.h; they are declared here so that ntddk.h drivers
 * always see them (a compatible redeclaration is harmless, and the Ps*
 * forms are skipped when wdm.h defines them as macros). */
_IRQL_requires_max_(HIGH_LEVEL)
NTKERNELAPI
PEPROCESS
IoGetCurrentProcess(
    VOID
    );

#ifndef PsGetCurrentProcess
_IRQL_requires_max_(HIGH_LEVEL)
NTKERNELAPI
PEPROCESS
PsGetCurrentProcess(
    VOID
    );
#endif

#ifndef PsGetCurrentThread
_IRQL_requires_max_(HIGH_LEVEL)
NTKERNELAPI
PETHREAD
PsGetCurrentThread(
    VOID
    );
#endif

_IRQL_requires_max_(HIGH_LEVEL)
NTKERNELAPI
HANDLE
PsGetProcessId(
    _In_ PEPROCESS Process
    );

_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI
HANDLE
PsGetThreadId(
    _In_ PETHREAD Thread
    );

_IRQL_requires_max_(HIGH_LEVEL)
NTKERNELAPI
HANDLE
PsGetThreadProcessId(
    _In_ PETHREAD Thread
    );

_IRQL_requires_max_(HIGH_LEVEL)
NTKERNELAPI
LONGLONG
PsGetProcessCreateTimeQuadPart(
    _In_ PEPROCESS Process
    );

/* Documented under ntifs.h; declared here too, as the ntddk.h Ps* family. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI
BOOLEAN
PsIsSystemThread(
    _In_ PETHREAD Thread
    );

/* PsCreateSystemThread and PsTerminateSystemThread are declared in wdm.h,
 * as in the WDK. */

/* ---------------------------------------------------------------------
 * Version information.
 * ------------------------------------------------------------------- */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
BOOLEAN
PsGetVersion(
    _Out_opt_ PULONG MajorVersion,
    _Out_opt_ PULONG MinorVersion,
    _Out_opt_ PULONG BuildNumber,
    _Out_opt_ PUNICODE_STRING CSDVersion
    );

/* ---------------------------------------------------------------------
 * Process information classes (ZwQueryInformationProcess is in ntifs.h;
 * drivers that include only ntddk.h often declare it themselves).
 * ------------------------------------------------------------------- */
typedef enum _PROCESSINFOCLASS {
    ProcessBasicInformation = 0,
    ProcessQuotaLimits = 1,
    ProcessIoCounters = 2,
    ProcessVmCounters = 3,
    ProcessTimes = 4,
    ProcessBasePriority = 5,
    ProcessRaisePriority = 6,
    ProcessDebugPort = 7,
    ProcessExceptionPort = 8,
    ProcessAccessToken = 9,
    ProcessLdtInformation = 10,
    ProcessLdtSize = 11,
    ProcessDefaultHardErrorMode = 12,
    ProcessIoPortHandlers = 13,
    ProcessPooledUsageAndLimits = 14,
    ProcessWorkingSetWatch = 15,
    ProcessUserModeIOPL = 16,
    ProcessEnableAlignmentFaultFixup = 17,
    ProcessPriorityClass = 18,
    ProcessWx86Information = 19,
    ProcessHandleCount = 20,
    ProcessAffinityMask = 21,
    ProcessPriorityBoost = 22,
    ProcessDeviceMap = 23,
    ProcessSessionInformation = 24,
    ProcessForegroundInformation = 25,
    ProcessWow64Information = 26,
    ProcessImageFileName = 27,
    ProcessLUIDDeviceMapsEnabled = 28,
    ProcessBreakOnTermination = 29,
    ProcessDebugObjectHandle = 30,
    ProcessDebugFlags = 31,
    ProcessHandleTracing = 32,
    ProcessIoPriority = 33,
    ProcessExecuteFlags = 34,
    ProcessTlsInformation = 35,
    ProcessCookie = 36,
    ProcessImageInformation = 37,
    ProcessCycleTime = 38,
    ProcessPagePriority = 39,
    ProcessInstrumentationCallback = 40,
    ProcessThreadStackAllocation = 41,
    ProcessWorkingSetWatchEx = 42,
    ProcessImageFileNameWin32 = 43,
    ProcessImageFileMapping = 44,
    ProcessAffinityUpdateMode = 45,
    ProcessMemoryAllocationMode = 46,
    ProcessGroupInformation = 47,
    ProcessTokenVirtualizationEnabled = 48,
    ProcessOwnerInformation = 49,
    ProcessWindowInformation = 50,
    ProcessHandleInformation = 51,
    ProcessMitigationPolicy = 52,
    ProcessDynamicFunctionTableInformation = 53,
    ProcessHandleCheckingMode = 54,
    ProcessKeepAliveCount = 55,
    ProcessRevokeFileHandles = 56,
    ProcessWorkingSetControl = 57,
    ProcessHandleTable = 58,
    ProcessCheckStackExtentsMode = 59,
    ProcessCommandLineInformation = 60,
    ProcessProtectionInformation = 61,
    MaxProcessInfoClass
} PROCESSINFOCLASS;

typedef struct _PEB *PPEB;

typedef struct _PROCESS_BASIC_INFORMATION {
    NTSTATUS ExitStatus;
    PPEB PebBaseAddress;
    ULONG_PTR AffinityMask;
    KPRIORITY BasePriority;
    ULONG_PTR UniqueProcessId;
    ULONG_PTR InheritedFromUniqueProcessId;
} PROCESS_BASIC_INFORMATION, *PPROCESS_BASIC_INFORMATION;

/* ---------------------------------------------------------------------
 * Other ntddk-only basics.
 * ------------------------------------------------------------------- */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSYSAPI
NTSTATUS
NTAPI
ZwOpenProcess(
    _Out_ PHANDLE ProcessHandle,
    _In_ ACCESS_MASK DesiredAccess,
    _In_ POBJECT_ATTRIBUTES ObjectAttributes,
    _In_opt_ PCLIENT_ID ClientId
    );

_IRQL_requires_max_(HIGH_LEVEL)
NTKERNELAPI
PHYSICAL_ADDRESS
MmGetPhysicalAddress(
    _In_ PVOID BaseAddress
    );

typedef
_Function_class_(DRIVER_REINITIALIZE)
_IRQL_requires_(PASSIVE_LEVEL)
_IRQL_requires_same_
VOID
DRIVER_REINITIALIZE(
    _In_ struct _DRIVER_OBJECT *DriverObject,
    _In_opt_ PVOID Context,
    _In_ ULONG Count
    );
typedef DRIVER_REINITIALIZE *PDRIVER_REINITIALIZE;

_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
VOID
IoRegisterDriverReinitialization(
    _In_ PDRIVER_OBJECT DriverObject,
    _In_ PDRIVER_REINITIALIZE DriverReinitializationRoutine,
    _In_opt_ PVOID Context
    );

_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
VOID
IoRegisterBootDriverReinitialization(
    _In_ PDRIVER_OBJECT DriverObject,
    _In_ PDRIVER_REINITIALIZE DriverReinitializationRoutine,
    _In_opt_ PVOID Context
    );

EXTERN_C_END

#endif /* _DDILINT_NTDDK_H_ */
