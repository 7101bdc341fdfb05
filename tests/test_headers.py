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
static NTSTATUS KsInspectProcess(_In_ HANDLE ProcessId, _In_ PIRP Irp);

#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, KsUnload)
#pragma alloc_text(PAGE, KsCreateClose)
#pragma alloc_text(PAGE, KsThread)

static UNICODE_STRING g_DeviceName = RTL_CONSTANT_STRING(L"\\Device\\KitchenSink");
static UNICODE_STRING g_LinkName = RTL_CONSTANT_STRING(L"\\DosDevices\\KitchenSink");
static UNICODE_STRING g_Altitude = RTL_CONSTANT_STRING(L"385201");
static PKS_EXTENSION g_Ext;
static PVOID g_PnpEntry;
static struct _KS_FILTER_EXTENSION *g_Filter;
static const GUID GUID_KS_INTERFACE = { 0x5d1b3b2a, 0x1c1e, 0x4c6e, { 0x9a, 0x11, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70 } };

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
    if (PsGetProcessCreateTimeQuadPart(Process) == 0 || Process == IoGetCurrentProcess() ||
        Process == PsGetCurrentProcess()) {
        KdPrint(("thread %p of %p\n", PsGetThreadId(PsGetCurrentThread()),
                 PsGetThreadProcessId(PsGetCurrentThread())));
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

static NTSTATUS
KsInspectProcess(_In_ HANDLE ProcessId, _In_ PIRP Irp)
{
    OBJECT_ATTRIBUTES attributes;
    CLIENT_ID clientId;
    HANDLE processHandle;
    PEPROCESS process;
    PETHREAD thread;
    PUNICODE_STRING imageName = NULL;
    PHYSICAL_ADDRESS physical;
    NTSTATUS status;

    InitializeObjectAttributes(&attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    clientId.UniqueProcess = ProcessId;
    clientId.UniqueThread = NULL;
    status = ZwOpenProcess(&processHandle, PROCESS_QUERY_LIMITED_INFORMATION, &attributes, &clientId);
    if (NT_SUCCESS(status)) {
        ZwClose(processHandle);
    }
    status = PsLookupThreadByThreadId(PsGetCurrentThreadId(), &thread);
    if (NT_SUCCESS(status)) {
        ObDereferenceObject(thread);
    }
    process = IoGetRequestorProcess(Irp);
    if (process != NULL) {
        status = SeLocateProcessImageName(process, &imageName);
        if (NT_SUCCESS(status)) {
            ExFreePool(imageName);
        }
    }
    physical = MmGetPhysicalAddress(Irp);
    if (physical.QuadPart == 0 || !MmIsAddressValid(Irp)) {
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
        if (!NT_SUCCESS(status)) {
            break;
        }
        status = KsInspectProcess((HANDLE)basic.UniqueProcessId, Irp);
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

/* ---- filter, PnP, power, MDL, registry, file, timing and misc DDIs ---- */
typedef struct _KS_FILTER_EXTENSION {
    PDEVICE_OBJECT Lower;
    PKINTERRUPT Interrupt;
    KSEMAPHORE Semaphore;
    EX_RUNDOWN_REF Rundown;
    WORK_QUEUE_ITEM WorkQueueItem;
    PCALLBACK_OBJECT PowerStateCallback;
    PVOID PowerStateRegistration;
    PVOID PnpNotification;
    UNICODE_STRING InterfaceName;
    KDPC ThreadedDpc;
} KS_FILTER_EXTENSION, *PKS_FILTER_EXTENSION;

DRIVER_ADD_DEVICE KsAddDevice;
_Dispatch_type_(IRP_MJ_PNP) DRIVER_DISPATCH KsDispatchPnp;
_Dispatch_type_(IRP_MJ_POWER) DRIVER_DISPATCH KsDispatchPower;
_Dispatch_type_(IRP_MJ_READ) DRIVER_DISPATCH KsDispatchRead;
IO_COMPLETION_ROUTINE KsCompletion;
DRIVER_CANCEL KsCancel;
KSERVICE_ROUTINE KsIsr;
KSYNCHRONIZE_ROUTINE KsSynchronize;
WORKER_THREAD_ROUTINE KsWorker;
CALLBACK_FUNCTION KsPowerStateCallback;
DRIVER_NOTIFICATION_CALLBACK_ROUTINE KsPnpNotify;
IO_TIMER_ROUTINE KsIoTimer;
DRIVER_REINITIALIZE KsReinitialize;

#pragma alloc_text(PAGE, KsAddDevice)
#pragma alloc_text(PAGE, KsDispatchPnp)

_Use_decl_annotations_
NTSTATUS
KsAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject)
{
    PDEVICE_OBJECT filter;
    PKS_FILTER_EXTENSION fx;
    NTSTATUS status;

    PAGED_CODE();
    status = IoCreateDevice(DriverObject, sizeof(KS_FILTER_EXTENSION), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &filter);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    fx = (PKS_FILTER_EXTENSION)filter->DeviceExtension;
    fx->Lower = IoAttachDeviceToDeviceStack(filter, PhysicalDeviceObject);
    if (fx->Lower == NULL) {
        IoDeleteDevice(filter);
        return STATUS_NO_SUCH_DEVICE;
    }
    KeInitializeSemaphore(&fx->Semaphore, 0, MAXLONG);
    ExInitializeRundownProtection(&fx->Rundown);
    KeInitializeThreadedDpc(&fx->ThreadedDpc, KsDpcRoutine, fx);
    KeSetImportanceDpc(&fx->ThreadedDpc, HighImportance);
    KeSetTargetProcessorDpc(&fx->ThreadedDpc, 0);
    status = IoRegisterDeviceInterface(PhysicalDeviceObject, &GUID_KS_INTERFACE, NULL, &fx->InterfaceName);
    if (NT_SUCCESS(status)) {
        status = IoSetDeviceInterfaceState(&fx->InterfaceName, TRUE);
    }
    filter->Flags |= fx->Lower->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO | DO_POWER_PAGABLE);
    filter->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
KsCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    if (Irp->PendingReturned) {
        IoMarkIrpPending(Irp);
    }
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

_Use_decl_annotations_
NTSTATUS
KsDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PKS_FILTER_EXTENSION fx = (PKS_FILTER_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
    KEVENT event;
    NTSTATUS status;

    PAGED_CODE();
    if (!ExAcquireRundownProtection(&fx->Rundown)) {
        Irp->IoStatus.Status = STATUS_DELETE_PENDING;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_DELETE_PENDING;
    }
    switch (irpSp->MinorFunction) {
    case IRP_MN_START_DEVICE:
        KeInitializeEvent(&event, NotificationEvent, FALSE);
        IoCopyCurrentIrpStackLocationToNext(Irp);
        IoSetCompletionRoutine(Irp, KsCompletion, &event, TRUE, TRUE, TRUE);
        status = IoCallDriver(fx->Lower, Irp);
        if (status == STATUS_PENDING) {
            KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
            status = Irp->IoStatus.Status;
        }
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        break;
    case IRP_MN_REMOVE_DEVICE:
        ExReleaseRundownProtection(&fx->Rundown);
        ExWaitForRundownProtectionRelease(&fx->Rundown);
        IoSetDeviceInterfaceState(&fx->InterfaceName, FALSE);
        RtlFreeUnicodeString(&fx->InterfaceName);
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(fx->Lower, Irp);
        IoDetachDevice(fx->Lower);
        IoDeleteDevice(DeviceObject);
        return status;
    default:
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(fx->Lower, Irp);
        break;
    }
    ExReleaseRundownProtection(&fx->Rundown);
    return status;
}

_Use_decl_annotations_
NTSTATUS
KsDispatchPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PKS_FILTER_EXTENSION fx = (PKS_FILTER_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);

    if (irpSp->MinorFunction == IRP_MN_SET_POWER && irpSp->Parameters.Power.Type == DevicePowerState) {
        PoSetPowerState(DeviceObject, DevicePowerState, irpSp->Parameters.Power.State);
    }
    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(fx->Lower, Irp);
}

_Use_decl_annotations_
VOID
KsCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

_Use_decl_annotations_
NTSTATUS
KsDispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PKS_FILTER_EXTENSION fx = (PKS_FILTER_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
    ULONG length = irpSp->Parameters.Read.Length;
    PVOID system;
    PMDL mdl;

    if (Irp->MdlAddress != NULL) {
        system = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority | MdlMappingNoExecute);
        if (system == NULL) {
            Irp->IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        RtlZeroMemory(system, min(length, MmGetMdlByteCount(Irp->MdlAddress)));
    }
    if (Irp->UserBuffer != NULL && Irp->RequestorMode == UserMode) {
        __try {
            ProbeForWrite(Irp->UserBuffer, length, sizeof(UCHAR));
            mdl = IoAllocateMdl(Irp->UserBuffer, length, FALSE, FALSE, NULL);
            if (mdl != NULL) {
                MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
                system = MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
                if (system != NULL) {
                    MmUnmapLockedPages(system, mdl);
                }
                MmUnlockPages(mdl);
                IoFreeMdl(mdl);
            }
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            Irp->IoStatus.Status = GetExceptionCode();
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
            return STATUS_ACCESS_VIOLATION;
        }
    }
    IoSetCancelRoutine(Irp, KsCancel);
    IoMarkIrpPending(Irp);
    if (IoSetCancelRoutine(Irp, NULL) != NULL) {
        IoSkipCurrentIrpStackLocation(Irp);
        IoCallDriver(fx->Lower, Irp);
    }
    return STATUS_PENDING;
}

_Use_decl_annotations_
BOOLEAN
KsIsr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(ServiceContext);
    return FALSE;
}

_Use_decl_annotations_
BOOLEAN
KsSynchronize(PVOID SynchronizeContext)
{
    ++*(PLONG)SynchronizeContext;
    return TRUE;
}

_Use_decl_annotations_
VOID
KsWorker(PVOID Parameter)
{
    PKS_FILTER_EXTENSION fx = (PKS_FILTER_EXTENSION)Parameter;
    KeReleaseSemaphore(&fx->Semaphore, IO_NO_INCREMENT, 1, FALSE);
}

_Use_decl_annotations_
VOID
KsPowerStateCallback(PVOID CallbackContext, PVOID Argument1, PVOID Argument2)
{
    if ((ULONG_PTR)Argument1 == 3 /* PO_CB_SYSTEM_STATE_LOCK */ && Argument2 == (PVOID)0) {
        UNREFERENCED_PARAMETER(CallbackContext);
    }
}

_Use_decl_annotations_
NTSTATUS
KsPnpNotify(PVOID NotificationStructure, PVOID Context)
{
    UNREFERENCED_PARAMETER(NotificationStructure);
    UNREFERENCED_PARAMETER(Context);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
KsIoTimer(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
}

_Use_decl_annotations_
VOID
KsReinitialize(PDRIVER_OBJECT DriverObject, PVOID Context, ULONG Count)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Count);
}

static NTSTATUS
KsRegistryAndFiles(PUNICODE_STRING RegistryPath, PKS_FILTER_EXTENSION fx)
{
    OBJECT_ATTRIBUTES attributes;
    IO_STATUS_BLOCK iosb;
    HANDLE key;
    HANDLE file;
    ULONG value = 1;
    ULONG resultLength;
    UCHAR buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)];
    PKEY_VALUE_PARTIAL_INFORMATION partial = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
    UNICODE_STRING valueName = RTL_CONSTANT_STRING(L"Enabled");
    UNICODE_STRING fileName = RTL_CONSTANT_STRING(L"\\??\\C:\\ks.log");
    UNICODE_STRING callbackName = RTL_CONSTANT_STRING(L"\\Callback\\PowerState");
    UNICODE_STRING routineName = RTL_CONSTANT_STRING(L"KeQueryActiveProcessorCount");
    UNICODE_STRING number;
    WCHAR numberBuffer[16];
    ANSI_STRING ansi;
    UNICODE_STRING converted;
    FILE_STANDARD_INFORMATION standard;
    LARGE_INTEGER offset;
    LARGE_INTEGER interval;
    LARGE_INTEGER now;
    LARGE_INTEGER frequency;
    PVOID routine;
    PVOID objects[2];
    PFILE_OBJECT fileObject;
    ULONG number32;
    NTSTATUS status;
    CHAR text[] = "kitchen sink";

    InitializeObjectAttributes(&attributes, RegistryPath, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    status = ZwOpenKey(&key, KEY_READ | KEY_WRITE, &attributes);
    if (NT_SUCCESS(status)) {
        status = ZwQueryValueKey(key, &valueName, KeyValuePartialInformation, partial, sizeof(buffer), &resultLength);
        if (NT_SUCCESS(status) && partial->Type == REG_DWORD && partial->DataLength == sizeof(ULONG)) {
            value = *(PULONG)partial->Data;
        }
        status = ZwSetValueKey(key, &valueName, 0, REG_DWORD, &value, sizeof(value));
        ZwClose(key);
    }
    status = ZwCreateKey(&key, KEY_ALL_ACCESS, &attributes, 0, NULL, REG_OPTION_VOLATILE, NULL);
    if (NT_SUCCESS(status)) {
        ZwDeleteKey(key);
        ZwClose(key);
    }

    InitializeObjectAttributes(&attributes, &fileName, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    status = ZwCreateFile(&file, FILE_GENERIC_WRITE | FILE_GENERIC_READ, &attributes, &iosb, NULL, FILE_ATTRIBUTE_NORMAL,
                          FILE_SHARE_READ, FILE_OPEN_IF, FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, NULL, 0);
    if (NT_SUCCESS(status)) {
        status = ZwQueryInformationFile(file, &iosb, &standard, sizeof(standard), FileStandardInformation);
        offset = standard.EndOfFile;
        status = ZwWriteFile(file, NULL, NULL, NULL, &iosb, text, (ULONG)strlen(text), &offset, NULL);
        offset.QuadPart = 0;
        status = ZwReadFile(file, NULL, NULL, NULL, &iosb, text, sizeof(text) - 1, &offset, NULL);
        status = ObReferenceObjectByHandle(file, FILE_READ_DATA, *IoFileObjectType, KernelMode, (PVOID *)&fileObject, NULL);
        if (NT_SUCCESS(status)) {
            objects[0] = fileObject;
            ObReferenceObject(fileObject);
            ObDereferenceObject(fileObject);
            ObDereferenceObject(fileObject);
        }
        ZwClose(file);
    }

    InitializeObjectAttributes(&attributes, &callbackName, OBJ_CASE_INSENSITIVE, NULL, NULL);
    status = ExCreateCallback(&fx->PowerStateCallback, &attributes, FALSE, TRUE);
    if (NT_SUCCESS(status)) {
        fx->PowerStateRegistration = ExRegisterCallback(fx->PowerStateCallback, KsPowerStateCallback, fx);
        if (fx->PowerStateRegistration != NULL) {
            ExUnregisterCallback(fx->PowerStateRegistration);
        }
        ObDereferenceObject(fx->PowerStateCallback);
    }

    routine = MmGetSystemRoutineAddress(&routineName);
    number32 = KeQueryActiveProcessorCount(NULL) + KeGetCurrentProcessorNumberEx(NULL);
    RtlInitEmptyUnicodeString(&number, numberBuffer, sizeof(numberBuffer));
    status = RtlIntegerToUnicodeString(number32, 10, &number);
    status = RtlUnicodeStringToInteger(&number, 10, &number32);
    RtlInitString(&ansi, text);
    status = RtlAnsiStringToUnicodeString(&converted, &ansi, TRUE);
    if (NT_SUCCESS(status)) {
        if (wcslen(converted.Buffer) > 0 && wcsncmp(converted.Buffer, L"k", 1) == 0) {
            RtlFreeUnicodeString(&converted);
        }
    }
    memset(text, 0, sizeof(text));
    memcpy(text, "abc", 3);
    memmove(text + 1, text, 2);
    NT_VERIFY(memcmp(text, "aab", 3) == 0 || strcmp(text, "x") != 0);

    KeQuerySystemTimePrecise(&now);
    KeQuerySystemTime(&now);
    now = KeQueryPerformanceCounter(&frequency);
    KeQueryTickCount(&now);
    now.QuadPart = (LONGLONG)KeQueryInterruptTime() + KeQueryTimeIncrement();
    interval.QuadPart = -10000;
    KeDelayExecutionThread(KernelMode, FALSE, &interval);
    KeStallExecutionProcessor(10);
    objects[0] = &fx->Semaphore;
    objects[1] = &fx->Semaphore;
    status = KeWaitForMultipleObjects(2, objects, WaitAny, Executive, KernelMode, FALSE, &interval, NULL);
    ExInitializeWorkItem(&fx->WorkQueueItem, KsWorker, fx);
    ExQueueWorkItem(&fx->WorkQueueItem, DelayedWorkQueue);
    if (ExGetPreviousMode() == UserMode || KeAreApcsDisabled() || routine == NULL) {
        NT_ASSERTMSG("unexpected", FALSE);
        KdPrintEx((DPFLTR_IHVDRIVER_ID, DPFLTR_WARNING_LEVEL, "previous mode %d\n", ExGetPreviousMode()));
    }
    return status;
}

static VOID
KsMoreLocks(PKS_EXTENSION Ext, PKS_FILTER_EXTENSION fx)
{
    KIRQL irql;
    KLOCK_QUEUE_HANDLE handle;
    LONG counter = 0;
    LIST_ENTRY other;

    irql = KeAcquireSpinLockRaiseToDpc(&Ext->Lock);
    KeReleaseSpinLock(&Ext->Lock, irql);
    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    if (KeTryToAcquireSpinLockAtDpcLevel(&Ext->Lock)) {
        KeReleaseSpinLockFromDpcLevel(&Ext->Lock);
    }
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&Ext->QueueLock, &handle);
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&handle);
    ExAcquireSpinLockSharedAtDpcLevel(&Ext->SharedLock);
    ExReleaseSpinLockSharedFromDpcLevel(&Ext->SharedLock);
    ExAcquireSpinLockExclusiveAtDpcLevel(&Ext->SharedLock);
    ExReleaseSpinLockExclusiveFromDpcLevel(&Ext->SharedLock);
    KeLowerIrql(irql);
    irql = KeRaiseIrqlToDpcLevel();
    KeLowerIrql(irql);

    if (fx->Interrupt != NULL) {
        irql = KeAcquireInterruptSpinLock(fx->Interrupt);
        KeReleaseInterruptSpinLock(fx->Interrupt, irql);
        KeSynchronizeExecution(fx->Interrupt, KsSynchronize, &counter);
    }

    if (ExTryToAcquireFastMutex(&Ext->Mutex)) {
        ExReleaseFastMutex(&Ext->Mutex);
    }
    KeEnterGuardedRegion();
    KeAcquireGuardedMutexUnsafe(&Ext->GuardedMutex);
    KeReleaseGuardedMutexUnsafe(&Ext->GuardedMutex);
    KeLeaveGuardedRegion();
    if (KeTryToAcquireGuardedMutex(&Ext->GuardedMutex)) {
        KeReleaseGuardedMutex(&Ext->GuardedMutex);
    }
    ExEnterCriticalRegionAndAcquireResourceExclusive(&Ext->Resource);
    NT_ASSERT(ExIsResourceAcquiredExclusiveLite(&Ext->Resource));
    ExReleaseResourceAndLeaveCriticalRegion(&Ext->Resource);
    ExEnterCriticalRegionAndAcquireResourceShared(&Ext->Resource);
    ExReleaseResourceAndLeaveCriticalRegion(&Ext->Resource);
    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&Ext->PushLock);
    ExReleasePushLockShared(&Ext->PushLock);
    KeLeaveCriticalRegion();

    KeClearEvent(&Ext->Event);
    KeResetEvent(&Ext->Event);
    if (KeReadStateEvent(&Ext->Event) == 0 && KeReadStateTimer(&Ext->Timer) == FALSE) {
        KeRemoveQueueDpc(&Ext->Dpc);
    }

    InitializeListHead(&other);
    AppendTailList(&Ext->List, &other);
    ExInterlockedInsertHeadList(&Ext->InterlockedList, &other, &Ext->Lock);
    InterlockedCompareExchange64(&Ext->Counter64, 1, 0);
    InterlockedDecrement64(&Ext->Counter64);
    InterlockedExchangeAdd64(&Ext->Counter64, 5);
    InterlockedXor(&Ext->Counter, 3);
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
    DriverObject->MajorFunction[IRP_MJ_PNP] = KsDispatchPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = KsDispatchPower;
    DriverObject->MajorFunction[IRP_MJ_READ] = KsDispatchRead;
    DriverObject->DriverExtension->AddDevice = KsAddDevice;
    IoRegisterDriverReinitialization(DriverObject, KsReinitialize, NULL);
    IoRegisterBootDriverReinitialization(DriverObject, KsReinitialize, NULL);
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

    status = IoInitializeTimer(deviceObject, KsIoTimer, ext);
    if (NT_SUCCESS(status)) {
        IoStartTimer(deviceObject);
        IoStopTimer(deviceObject);
    }
    status = IoRegisterShutdownNotification(deviceObject);
    if (NT_SUCCESS(status)) {
        IoUnregisterShutdownNotification(deviceObject);
    }
    status = IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange,
                                            PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES,
                                            (PVOID)&GUID_KS_INTERFACE, DriverObject, KsPnpNotify, ext,
                                            &g_PnpEntry);
    if (NT_SUCCESS(status)) {
        IoUnregisterPlugPlayNotificationEx(g_PnpEntry);
    }
    g_Filter = (PKS_FILTER_EXTENSION)ExAllocatePoolZero(NonPagedPoolNx, sizeof(KS_FILTER_EXTENSION), KS_TAG);
    if (g_Filter != NULL) {
        KeInitializeSemaphore(&g_Filter->Semaphore, 0, 1);
        status = KsRegistryAndFiles(RegistryPath, g_Filter);
        KsMoreLocks(ext, g_Filter);
        ExFreePoolWithTag(g_Filter, KS_TAG);
    }

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
