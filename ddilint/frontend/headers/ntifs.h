/*
 * ntifs.h -- ddilint's own minimal re-statement of a small part of the
 * installable-file-system DDI (ntifs.h): file-system registration change
 * notification, logon-session termination callbacks, name matching,
 * process lookup and a few object and process helpers. Written for ddilint
 * from the public documentation
 * (learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/); it is not the
 * WDK header.
 */
#pragma once
#ifndef _DDILINT_NTIFS_H_
#define _DDILINT_NTIFS_H_

#include <ntddk.h>

EXTERN_C_START

/* ---------------------------------------------------------------------
 * Flag helpers used throughout file-system code.
 * ------------------------------------------------------------------- */
#ifndef FlagOn
#define FlagOn(_F, _SF) ((_F) & (_SF))
#endif
#ifndef BooleanFlagOn
#define BooleanFlagOn(F, SF) ((BOOLEAN)(((F) & (SF)) != 0))
#endif
#ifndef SetFlag
#define SetFlag(_F, _SF) ((_F) |= (_SF))
#endif
#ifndef ClearFlag
#define ClearFlag(_F, _SF) ((_F) &= ~(_SF))
#endif

/* ---------------------------------------------------------------------
 * File-system registration change (IoRegisterFsRegistrationChange).
 * ------------------------------------------------------------------- */
typedef
_Function_class_(DRIVER_FS_NOTIFICATION)
_IRQL_requires_(PASSIVE_LEVEL)
_IRQL_requires_same_
VOID
DRIVER_FS_NOTIFICATION(
    _In_ struct _DEVICE_OBJECT *DeviceObject,
    _In_ BOOLEAN FsActive
    );
typedef DRIVER_FS_NOTIFICATION *PDRIVER_FS_NOTIFICATION;

_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
NTSTATUS
IoRegisterFsRegistrationChange(
    _In_ PDRIVER_OBJECT DriverObject,
    _In_ PDRIVER_FS_NOTIFICATION DriverNotificationRoutine
    );

_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
VOID
IoUnregisterFsRegistrationChange(
    _In_ PDRIVER_OBJECT DriverObject,
    _In_ PDRIVER_FS_NOTIFICATION DriverNotificationRoutine
    );

/* ---------------------------------------------------------------------
 * Logon-session termination callbacks.
 * ------------------------------------------------------------------- */
typedef
NTSTATUS
(*PSE_LOGON_SESSION_TERMINATED_ROUTINE)(
    _In_ PLUID LogonId
    );

_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
NTSTATUS
SeRegisterLogonSessionTerminatedRoutine(
    _In_ PSE_LOGON_SESSION_TERMINATED_ROUTINE CallbackRoutine
    );

_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
NTSTATUS
SeUnregisterLogonSessionTerminatedRoutine(
    _In_ PSE_LOGON_SESSION_TERMINATED_ROUTINE CallbackRoutine
    );

/* ---------------------------------------------------------------------
 * Name matching.
 * ------------------------------------------------------------------- */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
BOOLEAN
FsRtlIsNameInExpression(
    _In_ PUNICODE_STRING Expression,
    _In_ PUNICODE_STRING Name,
    _In_ BOOLEAN IgnoreCase,
    _In_opt_ PWCH UpcaseTable
    );

/* ---------------------------------------------------------------------
 * Process and thread lookup, image name.
 * ------------------------------------------------------------------- */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI
NTSTATUS
PsLookupProcessByProcessId(
    _In_ HANDLE ProcessId,
    _Outptr_ PEPROCESS *Process
    );

_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI
NTSTATUS
PsLookupThreadByThreadId(
    _In_ HANDLE ThreadId,
    _Outptr_ PETHREAD *Thread
    );

_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
NTSTATUS
SeLocateProcessImageName(
    _Inout_ PEPROCESS Process,
    _Outptr_ PUNICODE_STRING *pImageFileName
    );

_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI
ULONG
IoGetRequestorProcessId(
    _In_ PIRP Irp
    );

_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI
PEPROCESS
IoGetRequestorProcess(
    _In_ PIRP Irp
    );

_IRQL_requires_max_(PASSIVE_LEVEL)
NTSYSAPI
NTSTATUS
NTAPI
ZwQueryInformationProcess(
    _In_ HANDLE ProcessHandle,
    _In_ PROCESSINFOCLASS ProcessInformationClass,
    _Out_writes_bytes_(ProcessInformationLength) PVOID ProcessInformation,
    _In_ ULONG ProcessInformationLength,
    _Out_opt_ PULONG ReturnLength
    );

/* ---------------------------------------------------------------------
 * Object manager: handle from an object pointer.
 * ------------------------------------------------------------------- */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI
NTSTATUS
ObOpenObjectByPointer(
    _In_ PVOID Object,
    _In_ ULONG HandleAttributes,
    _In_opt_ PACCESS_STATE PassedAccessState,
    _In_ ACCESS_MASK DesiredAccess,
    _In_opt_ POBJECT_TYPE ObjectType,
    _In_ KPROCESSOR_MODE AccessMode,
    _Out_ PHANDLE Handle
    );

EXTERN_C_END

#endif /* _DDILINT_NTIFS_H_ */
