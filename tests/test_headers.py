"""The bundled minimal WDK headers parse realistic drivers cleanly and keep their annotations.

Each snippet is written to a temporary file and parsed with libclang exactly
as ddilint parses drivers (``clang_args()``); any diagnostic of severity
error or fatal (>= 3) means the headers miss or mis-declare something a real
driver uses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

cindex = pytest.importorskip("clang.cindex")

from ddilint.frontend.clang_args import clang_args  # noqa: E402

ERROR = 3

KITCHEN_SINK = r"""
#include <ntddk.h>
#include <ntifs.h>
#include <ntddk.h>   /* included twice on purpose: the guards must hold */

#define KS_TAG 'kSsK'
#define IOCTL_KS_PING     CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_KS_RESET    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_NEITHER, FILE_WRITE_ACCESS)

typedef struct _KS_ENTRY {
    LIST_ENTRY Link;
    SINGLE_LIST_ENTRY Single;
    HANDLE ProcessId;
    ULONG Value;
} KS_ENTRY, *PKS_ENTRY;

typedef struct _KS_EXTENSION {
    PDEVICE_OBJECT Self;
    KSPIN_LOCK Lock;
    KSPIN_LOCK QueueLock;
    EX_SPIN_LOCK SharedLock;
    FAST_MUTEX Mutex;
    KGUARDED_MUTEX GuardedMutex;
    KMUTEX KernelMutex;
    ERESOURCE Resource;
    EX_PUSH_LOCK PushLock;
    KEVENT Event;
    KTIMER Timer;
    KDPC Dpc;
    LIST_ENTRY List;
    LIST_ENTRY InterlockedList;
    SINGLE_LIST_ENTRY Stack;
    PIO_WORKITEM WorkItem;
    LARGE_INTEGER CmCookie;
    PVOID ObHandle;
    KBUGCHECK_CALLBACK_RECORD BugCheckRecord;
    HANDLE Thread;
    volatile LONG Counter;
    volatile LONG64 Counter64;
    PVOID volatile Pointer;
    BOOLEAN LinkCreated;
} KS_EXTENSION, *PKS_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD KsUnload;
_Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE) DRIVER_DISPATCH KsCreateClose;
_Dispatch_type_(IRP_MJ_DEVICE_CONTROL) DRIVER_DISPATCH KsDeviceControl;
KDEFERRED_ROUTINE KsDpcRoutine;
IO_WORKITEM_ROUTINE KsWorkItem;
KSTART_ROUTINE KsThread;
EX_CALLBACK_FUNCTION KsRegistryCallback;
KBUGCHECK_CALLBACK_ROUTINE KsBugCheck;
LOAD_IMAGE_NOTIFY_ROUTINE KsLoadImage;
CREATE_PROCESS_NOTIFY_ROUTINE KsProcessNotify;
CREATE_PROCESS_NOTIFY_ROUTINE_EX KsProcessNotifyEx;
CREATE_THREAD_NOTIFY_ROUTINE KsThreadNotify;
DRIVER_FS_NOTIFICATION KsFsNotify;
static NTSTATUS KsLogonTerminated(_In_ PLUID LogonId);
static OB_PREOP_CALLBACK_STATUS KsObPre(_In_ PVOID Context, _Inout_ POB_PRE_OPERATION_INFORMATION Info);
static VOID KsObPost(_In_ PVOID Context, _In_ POB_POST_OPERATION_INFORMATION Info);
static VOID KsHelper(_Inout_ PKS_EXTENSION Ext);

#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, KsUnload)
#pragma alloc_text(PAGE, KsCreateClose)
#pragma alloc_text(PAGE, KsThread)

static UNICODE_STRING g_DeviceName = RTL_CONSTANT_STRING(L"\\Device\\KitchenSink");
static UNICODE_STRING g_LinkName = RTL_CONSTANT_STRING(L"\\DosDevices\\KitchenSink");
static UNICODE_STRING g_Altitude = RTL_CONSTANT_STRING(L"385201");
static PKS_EXTENSION g_Ext;

_Use_decl_annotations_
VOID
KsLoadImage(PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO ImageInfo)
{
    PIMAGE_INFO_EX infoEx;
    UNICODE_STRING pattern = RTL_CONSTANT_STRING(L"*\\NTDLL.DLL");

    if (ImageInfo->ExtendedInfoPresent) {
        infoEx = CONTAINING_RECORD(ImageInfo, IMAGE_INFO_EX, ImageInfo);
        UNREFERENCED_PARAMETER(infoEx->FileObject);
    }
    if (FullImageName != NULL && FsRtlIsNameInExpression(&pattern, FullImageName, TRUE, NULL)) {
        KdPrint(("ntdll mapped into %p at %p (%Iu bytes, mode %u, sig %u)\n", ProcessId,
                 ImageInfo->ImageBase, ImageInfo->ImageSize, ImageInfo->ImageAddressingMode,
                 ImageInfo->ImageSignatureLevel));
    }
    if (ImageInfo->SystemModeImage && ImageInfo->Properties != 0) {
        InterlockedIncrement(&g_Ext->Counter);
    }
}

_Use_decl_annotations_
VOID
KsProcessNotify(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ParentId);
    UNREFERENCED_PARAMETER(ProcessId);
    UNREFERENCED_PARAMETER(Create);
}

_Use_decl_annotations_
VOID
KsProcessNotifyEx(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    if (CreateInfo == NULL) {
        return;
    }
    if (CreateInfo->FileOpenNameAvailable && CreateInfo->ImageFileName != NULL &&
        CreateInfo->CommandLine != NULL && CreateInfo->Flags != 0 && !CreateInfo->IsSubsystemProcess) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "%wZ (%p, parent %p, creator %p.%p) %wZ\n",
                   CreateInfo->ImageFileName, ProcessId, CreateInfo->ParentProcessId,
                   CreateInfo->CreatingThreadId.UniqueProcess, CreateInfo->CreatingThreadId.UniqueThread,
                   CreateInfo->CommandLine);
    }
    if (PsGetProcessId(Process) == (HANDLE)4 && CreateInfo->FileObject != NULL) {
        CreateInfo->CreationStatus = STATUS_ACCESS_DENIED;
    }
}

_Use_decl_annotations_
VOID
KsThreadNotify(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    if (Create && ProcessId == PsGetCurrentProcessId() && ThreadId == PsGetCurrentThreadId()) {
        InterlockedExchangeAdd(&g_Ext->Counter, 1);
    }
}

_Use_decl_annotations_
VOID
KsFsNotify(PDEVICE_OBJECT DeviceObject, BOOLEAN FsActive)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(FsActive);
}

static NTSTATUS
KsLogonTerminated(PLUID LogonId)
{
    UNREFERENCED_PARAMETER(LogonId);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
KsRegistryCallback(PVOID CallbackContext, PVOID Argument1, PVOID Argument2)
{
    REG_NOTIFY_CLASS notifyClass = (REG_NOTIFY_CLASS)(ULONG_PTR)Argument1;
    PREG_SET_VALUE_KEY_INFORMATION setValue;

    UNREFERENCED_PARAMETER(CallbackContext);
    if (notifyClass == RegNtPreSetValueKey) {
        setValue = (PREG_SET_VALUE_KEY_INFORMATION)Argument2;
        if (setValue->ValueName != NULL && setValue->DataSize > 0x10000) {
            return STATUS_ACCESS_DENIED;
        }
    }
    return STATUS_SUCCESS;
}

static OB_PREOP_CALLBACK_STATUS
KsObPre(PVOID Context, POB_PRE_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(Context);
    if (Info->ObjectType == *PsProcessType && Info->Operation == OB_OPERATION_HANDLE_CREATE &&
        !Info->KernelHandle) {
        Info->Parameters->CreateHandleInformation.DesiredAccess &= ~0x0001;
    }
    return OB_PREOP_SUCCESS;
}

static VOID
KsObPost(PVOID Context, POB_POST_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Info);
}

_Use_decl_annotations_
VOID
KsBugCheck(PVOID Buffer, ULONG Length)
{
    if (Length >= sizeof(ULONG)) {
        RtlZeroMemory(Buffer, Length);
    }
}

_Use_decl_annotations_
VOID
KsDpcRoutine(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PKS_EXTENSION ext = (PKS_EXTENSION)DeferredContext;
    PLIST_ENTRY entry;
    PSINGLE_LIST_ENTRY single;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    NT_ASSERT(KeGetCurrentIrql() == DISPATCH_LEVEL);

    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    if (!IsListEmpty(&ext->List)) {
        entry = RemoveHeadList(&ext->List);
        InsertTailList(&ext->List, entry);
    }
    single = PopEntryList(&ext->Stack);
    if (single != NULL) {
        PushEntryList(&ext->Stack, single);
    }
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    IoQueueWorkItem(ext->WorkItem, KsWorkItem, DelayedWorkQueue, ext);
}

_Use_decl_annotations_
VOID
KsWorkItem(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PKS_EXTENSION ext = (PKS_EXTENSION)Context;

    UNREFERENCED_PARAMETER(DeviceObject);
    PAGED_CODE();
    ExAcquireFastMutex(&ext->Mutex);
    ext->Counter++;
    ExReleaseFastMutex(&ext->Mutex);
    KeSetEvent(&ext->Event, IO_NO_INCREMENT, FALSE);
}

_Use_decl_annotations_
VOID
KsThread(PVOID StartContext)
{
    PKS_EXTENSION ext = (PKS_EXTENSION)StartContext;
    LARGE_INTEGER timeout;
    NTSTATUS status;

    PAGED_CODE();
    NT_ASSERT(PsIsSystemThread(PsGetCurrentThread()));
    timeout.QuadPart = -10 * 1000 * 1000;
    status = KeWaitForSingleObject(&ext->Event, Executive, KernelMode, FALSE, &timeout);
    if (status == STATUS_TIMEOUT) {
        KdPrint(("timed out\n"));
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID
KsHelper(PKS_EXTENSION Ext)
{
    KIRQL oldIrql;
    KLOCK_QUEUE_HANDLE queueHandle;
    PKS_ENTRY item;
    PLIST_ENTRY link;
    LONG previous;
    LONG64 previous64;
    PVOID oldPointer;

    KeAcquireSpinLock(&Ext->Lock, &oldIrql);
    Ext->Counter += 1;
    KeReleaseSpinLock(&Ext->Lock, oldIrql);

    KeAcquireInStackQueuedSpinLock(&Ext->QueueLock, &queueHandle);
    Ext->Counter -= 1;
    KeReleaseInStackQueuedSpinLock(&queueHandle);

    oldIrql = ExAcquireSpinLockShared(&Ext->SharedLock);
    ExReleaseSpinLockShared(&Ext->SharedLock, oldIrql);
    oldIrql = ExAcquireSpinLockExclusive(&Ext->SharedLock);
    ExReleaseSpinLockExclusive(&Ext->SharedLock, oldIrql);

    IoAcquireCancelSpinLock(&oldIrql);
    IoReleaseCancelSpinLock(oldIrql);

    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    KeLowerIrql(oldIrql);

    KeAcquireGuardedMutex(&Ext->GuardedMutex);
    KeReleaseGuardedMutex(&Ext->GuardedMutex);
    KeWaitForSingleObject(&Ext->KernelMutex, Executive, KernelMode, FALSE, NULL);
    KeReleaseMutex(&Ext->KernelMutex, FALSE);

    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&Ext->Resource, TRUE);
    ExReleaseResourceLite(&Ext->Resource);
    ExAcquireResourceSharedLite(&Ext->Resource, TRUE);
    ExReleaseResourceLite(&Ext->Resource);
    ExAcquirePushLockExclusive(&Ext->PushLock);
    ExReleasePushLockExclusive(&Ext->PushLock);
    KeLeaveCriticalRegion();

    item = (PKS_ENTRY)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(KS_ENTRY), KS_TAG);
    if (item == NULL) {
        return;
    }
    RtlZeroMemory(item, sizeof(*item));
    item->ProcessId = PsGetCurrentProcessId();
    ExInterlockedInsertTailList(&Ext->InterlockedList, &item->Link, &Ext->Lock);
    link = ExInterlockedRemoveHeadList(&Ext->InterlockedList, &Ext->Lock);
    if (link != NULL) {
        item = CONTAINING_RECORD(link, KS_ENTRY, Link);
        RemoveEntryList(&item->Link);
        InitializeListHead(&item->Link);
        InsertHeadList(&Ext->List, &item->Link);
        RemoveEntryList(&item->Link);
        RemoveTailList(&Ext->List);
        ExFreePoolWithTag(item, KS_TAG);
    }

    previous = InterlockedExchange(&Ext->Counter, 0);
    previous = InterlockedCompareExchange(&Ext->Counter, previous, 0);
    previous = InterlockedDecrement(&Ext->Counter);
    previous = InterlockedOr(&Ext->Counter, 0x10);
    previous = InterlockedAnd(&Ext->Counter, 0x0f);
    previous64 = InterlockedIncrement64(&Ext->Counter64);
    previous64 = InterlockedExchange64(&Ext->Counter64, previous64);
    oldPointer = InterlockedExchangePointer(&Ext->Pointer, NULL);
    oldPointer = InterlockedCompareExchangePointer(&Ext->Pointer, oldPointer, NULL);
    UNREFERENCED_PARAMETER(previous);
    UNREFERENCED_PARAMETER(oldPointer);
}

static NTSTATUS
KsStrings(VOID)
{
    UNICODE_STRING a;
    UNICODE_STRING b;
    ANSI_STRING ansi;
    WCHAR buffer[64];
    CHAR bytes[16];
    NTSTATUS status;

    RtlInitUnicodeString(&a, L"alpha");
    RtlInitEmptyUnicodeString(&b, buffer, sizeof(buffer));
    RtlCopyUnicodeString(&b, &a);
    status = RtlAppendUnicodeToString(&b, L"-beta");
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = RtlAppendUnicodeStringToString(&b, &a);
    if (RtlCompareUnicodeString(&a, &b, TRUE) == 0 || RtlEqualUnicodeString(&a, &b, FALSE)) {
        return STATUS_UNSUCCESSFUL;
    }
    status = RtlUnicodeStringToAnsiString(&ansi, &a, TRUE);
    if (NT_SUCCESS(status)) {
        RtlFreeAnsiString(&ansi);
    }
    RtlInitAnsiString(&ansi, "x");
    RtlFillMemory(bytes, sizeof(bytes), 0xcc);
    RtlSecureZeroMemory(bytes, sizeof(bytes));
    RtlCopyMemory(bytes, "abc", 3);
    RtlMoveMemory(bytes + 1, bytes, 3);
    if (RtlCompareMemory(bytes, "abc", 3) != 3 || RtlEqualMemory(bytes, bytes, 2) == FALSE) {
        return STATUS_UNSUCCESSFUL;
    }
    return status;
}

_Use_decl_annotations_
NTSTATUS
KsCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PAGED_CODE();
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
KsDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PKS_EXTENSION ext = (PKS_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
    ULONG inLength = irpSp->Parameters.DeviceIoControl.InputBufferLength;
    ULONG outLength = irpSp->Parameters.DeviceIoControl.OutputBufferLength;
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR info = 0;
    PEPROCESS process;
    HANDLE processHandle;
    PROCESS_BASIC_INFORMATION basic;
    ULONG returned;

    if (irpSp->MajorFunction != IRP_MJ_DEVICE_CONTROL || irpSp->FileObject == NULL) {
        status = STATUS_INVALID_DEVICE_REQUEST;
        goto done;
    }
    switch (irpSp->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_KS_PING:
        if (outLength < sizeof(ULONG) || inLength < sizeof(ULONG)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        *(PULONG)buffer = (ULONG)ext->Counter + IoGetRequestorProcessId(Irp);
        info = sizeof(ULONG);
        break;
    case IOCTL_KS_RESET:
        status = PsLookupProcessByProcessId(PsGetCurrentProcessId(), &process);
        if (!NT_SUCCESS(status)) {
            break;
        }
        status = ObOpenObjectByPointer(process, OBJ_KERNEL_HANDLE, NULL, 0x0400, *PsProcessType,
                                       KernelMode, &processHandle);
        ObDereferenceObject(process);
        if (!NT_SUCCESS(status)) {
            break;
        }
        status = ZwQueryInformationProcess(processHandle, ProcessBasicInformation, &basic,
                                           sizeof(basic), &returned);
        ZwClose(processHandle);
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
done:
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = info;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

_Use_decl_annotations_
VOID
KsUnload(PDRIVER_OBJECT DriverObject)
{
    PKS_EXTENSION ext = (PKS_EXTENSION)DriverObject->DeviceObject->DeviceExtension;

    PAGED_CODE();
    KeCancelTimer(&ext->Timer);
    KeFlushQueuedDpcs();
    ObUnRegisterCallbacks(ext->ObHandle);
    CmUnRegisterCallback(ext->CmCookie);
    KeDeregisterBugCheckCallback(&ext->BugCheckRecord);
    PsRemoveLoadImageNotifyRoutine(KsLoadImage);
    PsSetCreateProcessNotifyRoutine(KsProcessNotify, TRUE);
    PsSetCreateProcessNotifyRoutineEx(KsProcessNotifyEx, TRUE);
    PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)KsProcessNotifyEx, TRUE);
    PsRemoveCreateThreadNotifyRoutine(KsThreadNotify);
    IoUnregisterFsRegistrationChange(DriverObject, KsFsNotify);
    SeUnregisterLogonSessionTerminatedRoutine(KsLogonTerminated);
    IoFreeWorkItem(ext->WorkItem);
    ExDeleteResourceLite(&ext->Resource);
    if (ext->LinkCreated) {
        IoDeleteSymbolicLink(&g_LinkName);
    }
    IoDeleteDevice(DriverObject->DeviceObject);
}

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status;
    PDEVICE_OBJECT deviceObject = NULL;
    PKS_EXTENSION ext;
    LARGE_INTEGER due;
    OBJECT_ATTRIBUTES attributes;
    OB_OPERATION_REGISTRATION operations[1];
    OB_CALLBACK_REGISTRATION registration;
    ULONG major = 0, minor = 0, build = 0;
    RTL_OSVERSIONINFOW version;
    HANDLE thread;

    UNREFERENCED_PARAMETER(RegistryPath);
    PsGetVersion(&major, &minor, &build, NULL);
    version.dwOSVersionInfoSize = sizeof(version);
    status = RtlGetVersion(&version);

    status = IoCreateDevice(DriverObject, sizeof(KS_EXTENSION), &g_DeviceName, FILE_DEVICE_UNKNOWN,
                            FILE_DEVICE_SECURE_OPEN, FALSE, &deviceObject);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    ext = (PKS_EXTENSION)deviceObject->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    g_Ext = ext;
    ext->Self = deviceObject;
    KeInitializeSpinLock(&ext->Lock);
    KeInitializeSpinLock(&ext->QueueLock);
    ExInitializeFastMutex(&ext->Mutex);
    KeInitializeGuardedMutex(&ext->GuardedMutex);
    KeInitializeMutex(&ext->KernelMutex, 0);
    ExInitializeResourceLite(&ext->Resource);
    ExInitializePushLock(&ext->PushLock);
    KeInitializeEvent(&ext->Event, NotificationEvent, FALSE);
    KeInitializeTimer(&ext->Timer);
    KeInitializeDpc(&ext->Dpc, KsDpcRoutine, ext);
    InitializeListHead(&ext->List);
    InitializeListHead(&ext->InterlockedList);
    ext->Stack.Next = NULL;
    ext->WorkItem = IoAllocateWorkItem(deviceObject);
    KeInitializeCallbackRecord(&ext->BugCheckRecord);

    status = IoCreateSymbolicLink(&g_LinkName, &g_DeviceName);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(deviceObject);
        return status;
    }
    ext->LinkCreated = TRUE;

    DriverObject->DriverUnload = KsUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = KsCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = KsCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = KsDeviceControl;
    deviceObject->Flags |= DO_BUFFERED_IO;
    deviceObject->Flags &= ~DO_DEVICE_INITIALIZING;

    due.QuadPart = -10000LL * 100;
    KeSetTimerEx(&ext->Timer, due, 1000, &ext->Dpc);
    KeSetTimer(&ext->Timer, due, &ext->Dpc);
    KeInsertQueueDpc(&ext->Dpc, NULL, NULL);

    status = PsSetLoadImageNotifyRoutine(KsLoadImage);
    if (!NT_SUCCESS(status)) {
        goto fail;
    }
    status = PsSetLoadImageNotifyRoutineEx(KsLoadImage, PS_IMAGE_NOTIFY_CONFLICTING_ARCHITECTURE);
    if (!NT_SUCCESS(status)) {
        goto fail;
    }
    status = PsSetCreateProcessNotifyRoutine(KsProcessNotify, FALSE);
    if (!NT_SUCCESS(status)) {
        goto fail;
    }
    status = PsSetCreateProcessNotifyRoutineEx(KsProcessNotifyEx, FALSE);
    if (!NT_SUCCESS(status)) {
        goto fail;
    }
    status = PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)KsProcessNotifyEx, FALSE);
    if (!NT_SUCCESS(status)) {
        goto fail;
    }
    status = PsSetCreateThreadNotifyRoutine(KsThreadNotify);
    if (!NT_SUCCESS(status)) {
        goto fail;
    }
    status = PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifyNonSystem, (PVOID)KsThreadNotify);
    if (!NT_SUCCESS(status)) {
        goto fail;
    }
    status = CmRegisterCallbackEx(KsRegistryCallback, &g_Altitude, DriverObject, ext, &ext->CmCookie, NULL);
    if (!NT_SUCCESS(status)) {
        goto fail;
    }
    status = CmRegisterCallback(KsRegistryCallback, ext, &ext->CmCookie);
    if (!NT_SUCCESS(status)) {
        goto fail;
    }

    RtlZeroMemory(operations, sizeof(operations));
    operations[0].ObjectType = PsProcessType;
    operations[0].Operations = OB_OPERATION_HANDLE_CREATE | OB_OPERATION_HANDLE_DUPLICATE;
    operations[0].PreOperation = KsObPre;
    operations[0].PostOperation = KsObPost;
    registration.Version = OB_FLT_REGISTRATION_VERSION;
    registration.OperationRegistrationCount = 1;
    registration.Altitude = g_Altitude;
    registration.RegistrationContext = ext;
    registration.OperationRegistration = operations;
    status = ObRegisterCallbacks(&registration, &ext->ObHandle);
    if (!NT_SUCCESS(status)) {
        goto fail;
    }

    if (!KeRegisterBugCheckCallback(&ext->BugCheckRecord, KsBugCheck, ext, sizeof(*ext), (PUCHAR)"KitchenSink")) {
        status = STATUS_UNSUCCESSFUL;
        goto fail;
    }
    status = IoRegisterFsRegistrationChange(DriverObject, KsFsNotify);
    if (!NT_SUCCESS(status)) {
        goto fail;
    }
    status = SeRegisterLogonSessionTerminatedRoutine(KsLogonTerminated);
    if (!NT_SUCCESS(status)) {
        goto fail;
    }

    InitializeObjectAttributes(&attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    status = PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, &attributes, NULL, NULL, KsThread, ext);
    if (!NT_SUCCESS(status)) {
        goto fail;
    }
    ZwClose(thread);

    KsHelper(ext);
    status = KsStrings();
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "KitchenSink %lu.%lu.%lu loaded: 0x%08X\n",
               major, minor, build, status);
    DbgPrint("irql %u\n", KeGetCurrentIrql());
    ASSERT(KeGetCurrentIrql() == PASSIVE_LEVEL);
    return STATUS_SUCCESS;

fail:
    KsUnload(DriverObject);
    return status;
}
"""

MINIFILTER = r"""
#include <fltKernel.h>

DRIVER_INITIALIZE DriverEntry;
FLT_FILTER_UNLOAD_CALLBACK MfUnload;
FLT_PRE_OPERATION_CALLBACK MfPreCreate;
FLT_POST_OPERATION_CALLBACK MfPostCreate;
FLT_INSTANCE_SETUP_CALLBACK MfInstanceSetup;
FLT_INSTANCE_QUERY_TEARDOWN_CALLBACK MfQueryTeardown;

#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, MfUnload)

static PFLT_FILTER g_Filter;

_Use_decl_annotations_
FLT_PREOP_CALLBACK_STATUS
MfPreCreate(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects, PVOID *CompletionContext)
{
    PFLT_FILE_NAME_INFORMATION nameInfo;
    NTSTATUS status;

    *CompletionContext = NULL;
    if (Data->Iopb->MajorFunction != IRP_MJ_CREATE || FltObjects->FileObject == NULL ||
        Data->Iopb->TargetFileObject == NULL || !FLT_IS_IRP_OPERATION(Data)) {
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    status = FltGetFileNameInformation(Data, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT, &nameInfo);
    if (NT_SUCCESS(status)) {
        status = FltParseFileNameInformation(nameInfo);
        if (NT_SUCCESS(status) && nameInfo->Extension.Length == 0 && FltGetRequestorProcessId(Data) == 4) {
            Data->IoStatus.Status = STATUS_ACCESS_DENIED;
            Data->IoStatus.Information = 0;
            FltReleaseFileNameInformation(nameInfo);
            return FLT_PREOP_COMPLETE;
        }
        FltReleaseFileNameInformation(nameInfo);
    }
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

_Use_decl_annotations_
FLT_POSTOP_CALLBACK_STATUS
MfPostCreate(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects, PVOID CompletionContext,
             FLT_POST_OPERATION_FLAGS Flags)
{
    UNREFERENCED_PARAMETER(Data);
    UNREFERENCED_PARAMETER(FltObjects);
    UNREFERENCED_PARAMETER(CompletionContext);
    UNREFERENCED_PARAMETER(Flags);
    return FLT_POSTOP_FINISHED_PROCESSING;
}

_Use_decl_annotations_
NTSTATUS
MfInstanceSetup(PCFLT_RELATED_OBJECTS FltObjects, FLT_INSTANCE_SETUP_FLAGS Flags, DEVICE_TYPE VolumeDeviceType,
                FLT_FILESYSTEM_TYPE VolumeFilesystemType)
{
    UNREFERENCED_PARAMETER(FltObjects);
    UNREFERENCED_PARAMETER(Flags);
    UNREFERENCED_PARAMETER(VolumeDeviceType);
    return VolumeFilesystemType == FLT_FSTYPE_NTFS ? STATUS_SUCCESS : STATUS_FLT_DO_NOT_ATTACH;
}

_Use_decl_annotations_
NTSTATUS
MfQueryTeardown(PCFLT_RELATED_OBJECTS FltObjects, FLT_INSTANCE_QUERY_TEARDOWN_FLAGS Flags)
{
    UNREFERENCED_PARAMETER(FltObjects);
    UNREFERENCED_PARAMETER(Flags);
    return STATUS_SUCCESS;
}

CONST FLT_OPERATION_REGISTRATION g_Callbacks[] = {
    { IRP_MJ_CREATE, 0, MfPreCreate, MfPostCreate },
    { IRP_MJ_OPERATION_END }
};

CONST FLT_REGISTRATION g_FilterRegistration = {
    sizeof(FLT_REGISTRATION),
    FLT_REGISTRATION_VERSION,
    0,
    NULL,
    g_Callbacks,
    MfUnload,
    MfInstanceSetup,
    MfQueryTeardown,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL
};

_Use_decl_annotations_
NTSTATUS
MfUnload(FLT_FILTER_UNLOAD_FLAGS Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    PAGED_CODE();
    FltUnregisterFilter(g_Filter);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = FltRegisterFilter(DriverObject, &g_FilterRegistration, &g_Filter);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = FltStartFiltering(g_Filter);
    if (!NT_SUCCESS(status)) {
        FltUnregisterFilter(g_Filter);
    }
    return status;
}
"""


@pytest.fixture(scope="module")
def index():
    return cindex.Index.create()


def _parse(index, tmp_path: Path, name: str, source: str, defines=()):
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return index.parse(str(path), args=clang_args(defines=list(defines)))


def _errors(tu) -> list[str]:
    return [
        f"{d.location.file}:{d.location.line}:{d.location.column}: {d.spelling}"
        for d in tu.diagnostics
        if d.severity >= ERROR
    ]


def _annotations(cursor) -> list[str]:
    return [c.spelling for c in cursor.get_children() if c.kind == cindex.CursorKind.ANNOTATE_ATTR]


def _top_level(tu, name: str, kind):
    for cursor in tu.cursor.get_children():
        if cursor.spelling == name and cursor.kind == kind:
            return cursor
    raise AssertionError(f"{name} ({kind}) is not declared")


@pytest.mark.parametrize("defines", [(), ("DBG=1",)], ids=["free", "checked"])
def test_kitchen_sink_wdm_driver_parses_cleanly(index, tmp_path, defines):
    tu = _parse(index, tmp_path, "kitchen_sink.c", KITCHEN_SINK, defines)
    assert _errors(tu) == []


def test_annotations_survive_into_the_ast(index, tmp_path):
    tu = _parse(index, tmp_path, "annotations.c", "#include <ntddk.h>\n")

    register = _top_level(tu, "PsSetLoadImageNotifyRoutine", cindex.CursorKind.FUNCTION_DECL)
    assert "ddilint:irql_requires_max:PASSIVE_LEVEL" in _annotations(register)
    # No _Must_inspect_result_ on the Ps registrations, as in the WDK.
    assert "ddilint:must_inspect_result" not in _annotations(register)
    (routine,) = list(register.get_arguments())
    assert routine.spelling == "NotifyRoutine"
    assert _annotations(routine) == []  # marked only _In_

    remove = _top_level(tu, "PsRemoveLoadImageNotifyRoutine", cindex.CursorKind.FUNCTION_DECL)
    assert "ddilint:irql_requires_max:APC_LEVEL" in _annotations(remove)

    acquire = _top_level(tu, "KeAcquireSpinLock", cindex.CursorKind.FUNCTION_DECL)
    params = {p.spelling: p for p in acquire.get_arguments()}
    assert "ddilint:irql_saves" in _annotations(params["OldIrql"])

    unload = _top_level(tu, "DRIVER_UNLOAD", cindex.CursorKind.TYPEDEF_DECL)
    assert "ddilint:function_class:DRIVER_UNLOAD" in _annotations(unload)

    notify = _top_level(tu, "LOAD_IMAGE_NOTIFY_ROUTINE", cindex.CursorKind.TYPEDEF_DECL)
    assert "ddilint:function_class:LOAD_IMAGE_NOTIFY_ROUTINE" in _annotations(notify)


@pytest.mark.parametrize("header", ["ntddk.h", "ntifs.h", "fltKernel.h", "wdm.h"])
def test_each_header_parses_alone(index, tmp_path, header):
    tu = _parse(index, tmp_path, "alone.c", f"#include <{header}>\n")
    assert _errors(tu) == []


def test_minifilter_parses_cleanly(index, tmp_path):
    tu = _parse(index, tmp_path, "minifilter.c", MINIFILTER)
    assert _errors(tu) == []
    register = _top_level(tu, "FltRegisterFilter", cindex.CursorKind.FUNCTION_DECL)
    assert set(_annotations(register)) >= {
        "ddilint:must_inspect_result",
        "ddilint:irql_requires_max:APC_LEVEL",
    }
