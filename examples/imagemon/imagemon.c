/*
 * ImageMon: a small image-load monitor used by the ddilint quick start.
 * It counts kernel and user image loads in a load-image notify callback and
 * reports the counters through an IOCTL on \\.\ImageMon.  It contains two
 * deliberate DDI001 (unchecked-status) bugs, each marked with an expect comment.
 */
#include <ntddk.h>

#define IOCTL_IMAGEMON_GET_STATS     CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_IMAGEMON_FOREIGN_ARCH  CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct _IMAGEMON_STATS {
    ULONG KernelImages;
    ULONG UserImages;
    ULONG LargestImageSize;
} IMAGEMON_STATS, *PIMAGEMON_STATS;

typedef struct _IMAGEMON_EXTENSION {
    KSPIN_LOCK Lock;
    IMAGEMON_STATS Stats;
    BOOLEAN LinkCreated;
    BOOLEAN ForeignArch;
} IMAGEMON_EXTENSION, *PIMAGEMON_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD ImageMonUnload;
_Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE) DRIVER_DISPATCH ImageMonCreateClose;
_Dispatch_type_(IRP_MJ_DEVICE_CONTROL) DRIVER_DISPATCH ImageMonDeviceControl;

VOID ImageMonLoadNotify(_In_opt_ PUNICODE_STRING FullImageName, _In_ HANDLE ProcessId,
                        _In_ PIMAGE_INFO ImageInfo);

#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, ImageMonUnload)

static UNICODE_STRING g_DeviceName = RTL_CONSTANT_STRING(L"\\Device\\ImageMon");
static UNICODE_STRING g_LinkName = RTL_CONSTANT_STRING(L"\\DosDevices\\ImageMon");
static PIMAGEMON_EXTENSION g_Extension;

_Use_decl_annotations_
VOID
ImageMonLoadNotify(PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO ImageInfo)
{
    PIMAGEMON_EXTENSION ext = g_Extension;
    KIRQL oldIrql;

    UNREFERENCED_PARAMETER(FullImageName);
    if (ext == NULL || ImageInfo == NULL) {
        return;
    }

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    if (ProcessId == NULL) {
        ext->Stats.KernelImages++;
    } else {
        ext->Stats.UserImages++;
    }
    if (ImageInfo->ImageSize > ext->Stats.LargestImageSize) {
        ext->Stats.LargestImageSize = (ULONG)ImageInfo->ImageSize;
    }
    KeReleaseSpinLock(&ext->Lock, oldIrql);
}

/* Re-register the callback, with or without conflicting-architecture images. */
static VOID
ImageMonSetForeignArch(_Inout_ PIMAGEMON_EXTENSION Extension, _In_ BOOLEAN Enable)
{
    PsRemoveLoadImageNotifyRoutine(ImageMonLoadNotify);
    PsSetLoadImageNotifyRoutineEx(ImageMonLoadNotify, // expect: DDI001
                                  Enable ? PS_IMAGE_NOTIFY_CONFLICTING_ARCHITECTURE : 0);
    Extension->ForeignArch = Enable;
}

_Use_decl_annotations_
NTSTATUS
ImageMonCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
ImageMonDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIMAGEMON_EXTENSION ext = (PIMAGEMON_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR info = 0;
    KIRQL oldIrql;

    switch (irpSp->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_IMAGEMON_GET_STATS:
        if (irpSp->Parameters.DeviceIoControl.OutputBufferLength < sizeof(IMAGEMON_STATS)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        KeAcquireSpinLock(&ext->Lock, &oldIrql);
        RtlCopyMemory(buffer, &ext->Stats, sizeof(IMAGEMON_STATS));
        KeReleaseSpinLock(&ext->Lock, oldIrql);
        info = sizeof(IMAGEMON_STATS);
        break;

    case IOCTL_IMAGEMON_FOREIGN_ARCH:
        if (irpSp->Parameters.DeviceIoControl.InputBufferLength < sizeof(ULONG)) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        ImageMonSetForeignArch(ext, *(PULONG)buffer != 0);
        break;

    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }

    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = info;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

_Use_decl_annotations_
VOID
ImageMonUnload(PDRIVER_OBJECT DriverObject)
{
    PDEVICE_OBJECT deviceObject = DriverObject->DeviceObject;
    PIMAGEMON_EXTENSION ext = (PIMAGEMON_EXTENSION)deviceObject->DeviceExtension;

    PAGED_CODE();
    PsRemoveLoadImageNotifyRoutine(ImageMonLoadNotify);
    g_Extension = NULL;
    if (ext->LinkCreated) {
        IoDeleteSymbolicLink(&g_LinkName);
    }
    IoDeleteDevice(deviceObject);
}

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status;
    PDEVICE_OBJECT deviceObject = NULL;
    PIMAGEMON_EXTENSION ext;

    UNREFERENCED_PARAMETER(RegistryPath);

    status = IoCreateDevice(DriverObject, sizeof(IMAGEMON_EXTENSION), &g_DeviceName,
                            FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE, &deviceObject);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    ext = (PIMAGEMON_EXTENSION)deviceObject->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    KeInitializeSpinLock(&ext->Lock);

    status = IoCreateSymbolicLink(&g_LinkName, &g_DeviceName);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(deviceObject);
        return status;
    }
    ext->LinkCreated = TRUE;
    g_Extension = ext;

    status = PsSetLoadImageNotifyRoutine(ImageMonLoadNotify); // expect: DDI001
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL,
               "ImageMon: PsSetLoadImageNotifyRoutine returned 0x%08X\n", status);

    DriverObject->MajorFunction[IRP_MJ_CREATE] = ImageMonCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = ImageMonCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = ImageMonDeviceControl;
    DriverObject->DriverUnload = ImageMonUnload;
    return STATUS_SUCCESS;
}
