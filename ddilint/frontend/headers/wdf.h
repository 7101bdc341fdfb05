/*
 * wdf.h -- ddilint's own minimal re-statement of the KMDF basics a driver's
 * entry and unload paths use: the driver object and its configuration, object
 * attributes with their cleanup/destroy callbacks, and the event-callback
 * role typedefs with their documented IRQLs. Written for ddilint from the
 * public documentation (learn.microsoft.com/windows-hardware/drivers/ddi/
 * wdfdriver/, wdfobject/, wdfdpc/, wdftimer/, wdfworkitem/, wdfinterrupt/);
 * it is not the WDK header. KMDF methods are plain declarations here (the
 * real header routes them through a function table).
 */
#pragma once
#ifndef _DDILINT_WDF_H_
#define _DDILINT_WDF_H_

#include <wdm.h>

EXTERN_C_START

#define WDFAPI
#define WDF_NO_HANDLE NULL
#define WDF_NO_OBJECT_ATTRIBUTES NULL

typedef struct WDFOBJECT__ *WDFOBJECT;
typedef struct WDFDRIVER__ *WDFDRIVER;
typedef struct WDFDEVICE__ *WDFDEVICE;
typedef struct WDFDEVICE_INIT *PWDFDEVICE_INIT;
typedef struct WDFDPC__ *WDFDPC;
typedef struct WDFTIMER__ *WDFTIMER;
typedef struct WDFWORKITEM__ *WDFWORKITEM;
typedef struct WDFINTERRUPT__ *WDFINTERRUPT;
typedef struct WDFREQUEST__ *WDFREQUEST;
typedef struct WDFQUEUE__ *WDFQUEUE;
typedef struct _WDF_OBJECT_CONTEXT_TYPE_INFO *PCWDF_OBJECT_CONTEXT_TYPE_INFO;

/* Driver callbacks. */
typedef _Function_class_(EVT_WDF_DRIVER_DEVICE_ADD) _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS EVT_WDF_DRIVER_DEVICE_ADD(_In_ WDFDRIVER Driver, _Inout_ PWDFDEVICE_INIT DeviceInit);
typedef EVT_WDF_DRIVER_DEVICE_ADD *PFN_WDF_DRIVER_DEVICE_ADD;

typedef _Function_class_(EVT_WDF_DRIVER_UNLOAD) _IRQL_requires_(PASSIVE_LEVEL)
VOID EVT_WDF_DRIVER_UNLOAD(_In_ WDFDRIVER Driver);
typedef EVT_WDF_DRIVER_UNLOAD *PFN_WDF_DRIVER_UNLOAD;

/* Object cleanup and destroy callbacks: <= DISPATCH_LEVEL in general, PASSIVE_LEVEL for the
 * driver object (its unload path); their IRQL is data in ddilint's rules/irql.toml. */
typedef _Function_class_(EVT_WDF_OBJECT_CONTEXT_CLEANUP)
VOID EVT_WDF_OBJECT_CONTEXT_CLEANUP(_In_ WDFOBJECT Object);
typedef EVT_WDF_OBJECT_CONTEXT_CLEANUP *PFN_WDF_OBJECT_CONTEXT_CLEANUP;

typedef _Function_class_(EVT_WDF_OBJECT_CONTEXT_DESTROY)
VOID EVT_WDF_OBJECT_CONTEXT_DESTROY(_In_ WDFOBJECT Object);
typedef EVT_WDF_OBJECT_CONTEXT_DESTROY *PFN_WDF_OBJECT_CONTEXT_DESTROY;

/* Event callbacks of other objects, with the IRQL they run at. */
typedef _Function_class_(EVT_WDF_DPC) _IRQL_requires_(DISPATCH_LEVEL) VOID EVT_WDF_DPC(_In_ WDFDPC Dpc);
typedef EVT_WDF_DPC *PFN_WDF_DPC;
typedef _Function_class_(EVT_WDF_TIMER) _IRQL_requires_max_(DISPATCH_LEVEL) VOID EVT_WDF_TIMER(_In_ WDFTIMER Timer);
typedef EVT_WDF_TIMER *PFN_WDF_TIMER;
typedef _Function_class_(EVT_WDF_WORKITEM) _IRQL_requires_(PASSIVE_LEVEL) VOID EVT_WDF_WORKITEM(_In_ WDFWORKITEM WorkItem);
typedef EVT_WDF_WORKITEM *PFN_WDF_WORKITEM;
typedef _Function_class_(EVT_WDF_INTERRUPT_ISR) _IRQL_requires_same_
BOOLEAN EVT_WDF_INTERRUPT_ISR(_In_ WDFINTERRUPT Interrupt, _In_ ULONG MessageID);
typedef EVT_WDF_INTERRUPT_ISR *PFN_WDF_INTERRUPT_ISR;
typedef _Function_class_(EVT_WDF_INTERRUPT_DPC) _IRQL_requires_(DISPATCH_LEVEL)
VOID EVT_WDF_INTERRUPT_DPC(_In_ WDFINTERRUPT Interrupt, _In_ WDFOBJECT AssociatedObject);
typedef EVT_WDF_INTERRUPT_DPC *PFN_WDF_INTERRUPT_DPC;

typedef enum _WDF_EXECUTION_LEVEL {
    WdfExecutionLevelInvalid = 0, WdfExecutionLevelInheritFromParent, WdfExecutionLevelPassive, WdfExecutionLevelDispatch
} WDF_EXECUTION_LEVEL;

typedef enum _WDF_SYNCHRONIZATION_SCOPE {
    WdfSynchronizationScopeInvalid = 0, WdfSynchronizationScopeInheritFromParent, WdfSynchronizationScopeDevice,
    WdfSynchronizationScopeQueue, WdfSynchronizationScopeNone
} WDF_SYNCHRONIZATION_SCOPE;

typedef struct _WDF_OBJECT_ATTRIBUTES {
    ULONG Size;
    PFN_WDF_OBJECT_CONTEXT_CLEANUP EvtCleanupCallback;
    PFN_WDF_OBJECT_CONTEXT_DESTROY EvtDestroyCallback;
    WDF_EXECUTION_LEVEL ExecutionLevel;
    WDF_SYNCHRONIZATION_SCOPE SynchronizationScope;
    WDFOBJECT ParentObject;
    size_t ContextSizeOverride;
    PCWDF_OBJECT_CONTEXT_TYPE_INFO ContextTypeInfo;
} WDF_OBJECT_ATTRIBUTES, *PWDF_OBJECT_ATTRIBUTES;

FORCEINLINE VOID WDF_OBJECT_ATTRIBUTES_INIT(_Out_ PWDF_OBJECT_ATTRIBUTES Attributes)
{
    RtlZeroMemory(Attributes, sizeof(WDF_OBJECT_ATTRIBUTES));
    Attributes->Size = sizeof(WDF_OBJECT_ATTRIBUTES);
    Attributes->SynchronizationScope = WdfSynchronizationScopeInheritFromParent;
    Attributes->ExecutionLevel = WdfExecutionLevelInheritFromParent;
}

typedef enum _WDF_DRIVER_INIT_FLAGS {
    WdfDriverInitNonPnpDriver = 0x00000001, WdfDriverInitNoDispatchOverride = 0x00000002,
    WdfVerifyOn = 0x00000004, WdfVerifierOn = 0x00000008, WdfDriverInitCompanion = 0x00000010
} WDF_DRIVER_INIT_FLAGS;

typedef struct _WDF_DRIVER_CONFIG {
    ULONG Size;
    PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd;
    PFN_WDF_DRIVER_UNLOAD EvtDriverUnload;
    ULONG DriverInitFlags;
    ULONG DriverPoolTag;
} WDF_DRIVER_CONFIG, *PWDF_DRIVER_CONFIG;

FORCEINLINE VOID WDF_DRIVER_CONFIG_INIT(_Out_ PWDF_DRIVER_CONFIG Config, _In_opt_ PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd)
{
    RtlZeroMemory(Config, sizeof(WDF_DRIVER_CONFIG));
    Config->Size = sizeof(WDF_DRIVER_CONFIG);
    Config->EvtDriverDeviceAdd = EvtDriverDeviceAdd;
}

_Must_inspect_result_ _IRQL_requires_max_(PASSIVE_LEVEL) WDFAPI NTSTATUS WdfDriverCreate(
    _In_ PDRIVER_OBJECT DriverObject, _In_ PCUNICODE_STRING RegistryPath,
    _In_opt_ PWDF_OBJECT_ATTRIBUTES DriverAttributes, _In_ PWDF_DRIVER_CONFIG DriverConfig,
    _Out_opt_ WDFDRIVER *Driver);
_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI PDRIVER_OBJECT WdfDriverWdmGetDriverObject(_In_ WDFDRIVER Driver);
_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI WDFDRIVER WdfGetDriver(VOID);
_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID WdfObjectDelete(_In_ WDFOBJECT Object);

EXTERN_C_END

#endif /* _DDILINT_WDF_H_ */
