/*
 * sal.h -- ddilint's own minimal re-statement of the source-code annotation
 * language (SAL 2.0) and driver annotations used by the documented Windows
 * kernel DDIs. Written for ddilint from the public documentation
 * (learn.microsoft.com: "Using SAL annotations", "Annotating function
 * behavior", "IRQL annotations for drivers"); it is not the WDK header.
 *
 * Contract with ddilint: the IRQL, return-checking and function-class
 * annotations expand to clang `annotate` attributes whose strings begin
 * with "ddilint:" and carry the macro argument spelled literally (#x), so
 * that `_IRQL_requires_max_(PASSIVE_LEVEL)` reaches the AST as
 * "ddilint:irql_requires_max:PASSIVE_LEVEL". Every other annotation
 * expands to nothing.
 */
#pragma once
#ifndef _DDILINT_SAL_H_
#define _DDILINT_SAL_H_

/* ---------------------------------------------------------------------
 * Annotations that survive into the AST (IRQL annotations for drivers,
 * function classes, return checking).
 * ------------------------------------------------------------------- */
#include <ddilint_annotations.h>

/* Remaining IRQL annotations: no meaning for ddilint, expand to nothing. */
#define _IRQL_uses_cancel_
#define _IRQL_is_cancel_
#define _IRQL_always_function_max_(x)
#define _IRQL_always_function_min_(x)

/* ---------------------------------------------------------------------
 * Parameter annotations (SAL 2.0 "Annotating function parameters").
 * ------------------------------------------------------------------- */
#define _In_
#define _In_opt_
#define _In_z_
#define _In_opt_z_
#define _In_reads_(n)
#define _In_reads_opt_(n)
#define _In_reads_bytes_(n)
#define _In_reads_bytes_opt_(n)
#define _In_reads_z_(n)
#define _In_reads_or_z_(n)
#define _In_reads_to_ptr_(p)
#define _In_range_(lo, hi)
#define _In_count_(n)
#define _In_bytecount_(n)

#define _Out_
#define _Out_opt_
#define _Out_writes_(n)
#define _Out_writes_opt_(n)
#define _Out_writes_bytes_(n)
#define _Out_writes_bytes_opt_(n)
#define _Out_writes_z_(n)
#define _Out_writes_opt_z_(n)
#define _Out_writes_to_(n, c)
#define _Out_writes_to_opt_(n, c)
#define _Out_writes_all_(n)
#define _Out_writes_all_opt_(n)
#define _Out_writes_bytes_to_(n, c)
#define _Out_writes_bytes_to_opt_(n, c)
#define _Out_writes_bytes_all_(n)
#define _Out_writes_bytes_all_opt_(n)
#define _Out_range_(lo, hi)
#define _Out_z_cap_(n)

#define _Inout_
#define _Inout_opt_
#define _Inout_z_
#define _Inout_opt_z_
#define _Inout_updates_(n)
#define _Inout_updates_opt_(n)
#define _Inout_updates_z_(n)
#define _Inout_updates_bytes_(n)
#define _Inout_updates_bytes_opt_(n)
#define _Inout_updates_to_(n, c)
#define _Inout_updates_all_(n)
#define _Inout_updates_bytes_all_(n)

#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Outptr_opt_result_maybenull_
#define _Outptr_result_nullonfailure_
#define _Outptr_opt_result_nullonfailure_
#define _Outptr_result_z_
#define _Outptr_result_buffer_(n)
#define _Outptr_result_bytebuffer_(n)
#define _Outptr_result_bytebuffer_maybenull_(n)
#define _Outptr_result_buffer_maybenull_(n)
#define _COM_Outptr_
#define _COM_Outptr_opt_
#define _Deref_out_
#define _Deref_out_opt_
#define _Deref_out_range_(lo, hi)
#define _Deref_in_range_(lo, hi)
#define _Deref_inout_range_(lo, hi)
#define _Deref_pre_maybenull_
#define _Deref_post_maybenull_
#define _Deref_out_z_

#define _Reserved_
#define _Const_
#define _Notnull_
#define _Maybenull_
#define _Null_
#define _Printf_format_string_
#define _Printf_format_string_params_(n)
#define _Scanf_format_string_
#define _Format_string_impl_(kind, where)

/* ---------------------------------------------------------------------
 * Return-value and success annotations.
 * ------------------------------------------------------------------- */
#define _Ret_maybenull_
#define _Ret_notnull_
#define _Ret_null_
#define _Ret_z_
#define _Ret_maybenull_z_
#define _Ret_valid_
#define _Ret_range_(lo, hi)
#define _Ret_writes_(n)
#define _Ret_writes_z_(n)
#define _Ret_writes_bytes_(n)
#define _Ret_writes_maybenull_(n)
#define _Ret_writes_bytes_maybenull_(n)
#define _Ret_writes_bytes_to_(n, c)
#define _Result_nullonfailure_
#define _Result_zeroonfailure_
#define _Success_(expr)
#define _Return_type_success_(expr)
#define _Results_maybenull_
#define _Check_return_opt_
#define _Post_equals_last_error_
#define _Must_inspect_impl_

/* ---------------------------------------------------------------------
 * Pre/post-condition, structural and conditional annotations.
 * ------------------------------------------------------------------- */
#define _When_(cond, anno)
#define _At_(target, anno)
#define _At_buffer_(target, iter, bound, anno)
#define _Group_(annos)
#define _On_failure_(anno)
#define _Always_(anno)
#define _Pre_
#define _Post_
#define _Deref_
#define _Deref_pre_
#define _Deref_post_
#define _Pre_notnull_
#define _Pre_maybenull_
#define _Pre_null_
#define _Pre_valid_
#define _Pre_opt_valid_
#define _Pre_invalid_
#define _Pre_z_
#define _Pre_readable_size_(n)
#define _Pre_writable_size_(n)
#define _Pre_readable_byte_size_(n)
#define _Pre_writable_byte_size_(n)
#define _Pre_satisfies_(cond)
#define _Pre_unknown_
#define _Pre_defensive_
#define _Post_notnull_
#define _Post_maybenull_
#define _Post_null_
#define _Post_valid_
#define _Post_invalid_
#define _Post_ptr_invalid_
#define _Post_z_
#define _Post_readable_size_(n)
#define _Post_writable_size_(n)
#define _Post_readable_byte_size_(n)
#define _Post_writable_byte_size_(n)
#define _Post_satisfies_(cond)
#define _Post_equal_to_(expr)
#define _Post_defensive_
#define _Post_same_lock_(a, b)
#define _Unchanged_(e)
#define _Satisfies_(cond)
#define _Old_(e) e
#define _Curr_
#define _Inexpressible_(expr)
#define _Points_to_data_
#define _Literal_
#define _Notliteral_
#define _Null_terminated_
#define _NullNull_terminated_
#define _Readable_bytes_(n)
#define _Writable_bytes_(n)
#define _Readable_elements_(n)
#define _Writable_elements_(n)
#define _Valid_
#define _Notvalid_
#define _Strict_type_match_
#define _Interlocked_operand_
#define _Frees_ptr_(p)
#define _Frees_ptr_opt_
#define _Post_ptr_invalid_
#define _Use_decl_annotations_
#define _Dispatch_type_(x)
#define _Analysis_mode_(x)
#define _Analysis_noreturn_
#define _Analysis_assume_(expr)
#define _Analysis_assume_nullterminated_(x)
#define _Analysis_suppress_lock_checking_(lock)
#define _Raises_SEH_exception_
#define _Maybe_raises_SEH_exception_
#define _Enum_is_bitflag_
#define _Strict_type_match_
#define _Field_range_(lo, hi)
#define _Field_size_(n)
#define _Field_size_opt_(n)
#define _Field_size_bytes_(n)
#define _Field_size_bytes_opt_(n)
#define _Field_size_part_(n, c)
#define _Field_size_part_opt_(n, c)
#define _Field_size_bytes_part_(n, c)
#define _Field_size_bytes_part_opt_(n, c)
#define _Field_size_full_(n)
#define _Field_size_bytes_full_(n)
#define _Field_z_
#define _Struct_size_bytes_(n)
#define _Alloc_exact_size_(n)
#define _Guarded_by_(lock)
#define _Write_guarded_by_(lock)
#define _Interlocked_
#define _Has_lock_kind_(kind)
#define _Has_lock_level_(level)
#define _Lock_level_order_(a, b)
#define _Create_lock_level_(level)

/* ---------------------------------------------------------------------
 * Concurrency (lock) annotations.
 * ------------------------------------------------------------------- */
#define _Acquires_lock_(lock)
#define _Releases_lock_(lock)
#define _Requires_lock_held_(lock)
#define _Requires_lock_not_held_(lock)
#define _Requires_no_locks_held_
#define _Acquires_exclusive_lock_(lock)
#define _Acquires_shared_lock_(lock)
#define _Releases_exclusive_lock_(lock)
#define _Releases_shared_lock_(lock)
#define _Requires_exclusive_lock_held_(lock)
#define _Requires_shared_lock_held_(lock)
#define _Acquires_nonreentrant_lock_(lock)
#define _Releases_nonreentrant_lock_(lock)
#define _Post_same_lock_(a, b)

/* ---------------------------------------------------------------------
 * Kernel-specific annotations ("Annotating driver code").
 * ------------------------------------------------------------------- */
#define _Kernel_float_saved_
#define _Kernel_float_restored_
#define _Kernel_float_used_
#define _Kernel_clear_do_init_(yesNo)
#define _Kernel_IoGetDmaAdapter_
#define _Kernel_requires_resource_held_(kind)
#define _Kernel_requires_resource_not_held_(kind)
#define _Kernel_acquires_resource_(kind)
#define _Kernel_releases_resource_(kind)
#define _Kernel_ArbitraryThread_
#define _Kernel_KeHoldsCriticalRegion_

/* ---------------------------------------------------------------------
 * Older driver annotations (__drv_*). They expand to nothing; drivers
 * that want ddilint to see an IRQL should use the _IRQL_* forms.
 * ------------------------------------------------------------------- */
#define __drv_aliasesMem
#define __drv_allocatesMem(kind)
#define __drv_freesMem(kind)
#define __drv_maxIRQL(x)
#define __drv_minIRQL(x)
#define __drv_requiresIRQL(x)
#define __drv_setsIRQL(x)
#define __drv_raisesIRQL(x)
#define __drv_savesIRQL
#define __drv_restoresIRQL
#define __drv_savesIRQLGlobal(kind, param)
#define __drv_restoresIRQLGlobal(kind, param)
#define __drv_sameIRQL
#define __drv_useCancelIRQL
#define __drv_isCancelIRQL
#define __drv_maxFunctionIRQL(x)
#define __drv_minFunctionIRQL(x)
#define __drv_functionClass(x)
#define __drv_dispatchType(x)
#define __drv_dispatchType_other
#define __drv_when(cond, anno)
#define __drv_at(expr, anno)
#define __drv_in(anno)
#define __drv_out(anno)
#define __drv_in_deref(anno)
#define __drv_out_deref(anno)
#define __drv_deref(anno)
#define __drv_arg(expr, anno)
#define __drv_fun(anno)
#define __drv_ret(anno)
#define __drv_strictTypeMatch(mode)
#define __drv_strictType(type, mode)
#define __drv_notPointer
#define __drv_isObjectPointer
#define __drv_valueIs(list)
#define __drv_constant
#define __drv_nonConstant
#define __drv_formatString(kind)
#define __drv_preferredFunction(func, why)
#define __drv_reportError(why)
#define __drv_floatUsed
#define __drv_floatSaved
#define __drv_floatRestored
#define __drv_clearDoInit(yesNo)
#define __drv_interlocked
#define __drv_inTry
#define __drv_notInTry
#define __drv_mustHold(kind)
#define __drv_mustHoldGlobal(kind, param)
#define __drv_neverHold(kind)
#define __drv_neverHoldGlobal(kind, param)
#define __drv_acquiresResource(kind)
#define __drv_releasesResource(kind)
#define __drv_acquiresResourceGlobal(kind, param)
#define __drv_releasesResourceGlobal(kind, param)
#define __drv_acquiresExclusiveResource(kind)
#define __drv_releasesExclusiveResource(kind)
#define __drv_acquiresExclusiveResourceGlobal(kind, param)
#define __drv_releasesExclusiveResourceGlobal(kind, param)
#define __drv_acquiresCancelSpinLock
#define __drv_releasesCancelSpinLock
#define __drv_mustHoldCancelSpinLock
#define __drv_neverHoldCancelSpinLock
#define __drv_acquiresCriticalRegion
#define __drv_releasesCriticalRegion
#define __drv_mustHoldCriticalRegion
#define __drv_neverHoldCriticalRegion
#define __drv_acquiresPriorityRegion
#define __drv_releasesPriorityRegion
#define __drv_mustHoldPriorityRegion
#define __drv_neverHoldPriorityRegion
#define __drv_innerMustHoldGlobal(kind, param)
#define __drv_innerNeverHoldGlobal(kind, param)
#define __drv_innerAcquiresGlobal(kind, param)
#define __drv_innerReleasesGlobal(kind, param)
#define __drv_completeRequest

/* ---------------------------------------------------------------------
 * SAL 1 spellings still found in older drivers.
 * ------------------------------------------------------------------- */
#define __in
#define __in_opt
#define __in_z
#define __in_opt_z
#define __in_bcount(n)
#define __in_bcount_opt(n)
#define __in_ecount(n)
#define __in_ecount_opt(n)
#define __out
#define __out_opt
#define __out_z
#define __out_bcount(n)
#define __out_bcount_opt(n)
#define __out_bcount_part(n, c)
#define __out_ecount(n)
#define __out_ecount_opt(n)
#define __out_ecount_part(n, c)
#define __inout
#define __inout_opt
#define __inout_z
#define __inout_bcount(n)
#define __inout_ecount(n)
#define __deref_out
#define __deref_out_opt
#define __deref_opt_out
#define __deref_out_bcount(n)
#define __deref_out_ecount(n)
#define __reserved
#define __checkReturn
#define __success(expr)
#define __nullterminated
#define __field_bcount(n)
#define __field_ecount(n)
#define __bcount(n)
#define __ecount(n)
#define __format_string
#define __callback
#define __analysis_assume(expr)

#endif /* _DDILINT_SAL_H_ */
