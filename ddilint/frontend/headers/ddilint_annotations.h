/*
 * ddilint_annotations.h -- the SAL annotations that carry meaning for ddilint,
 * as clang `annotate` attributes ("ddilint:<kind>:<args>"). Included by the
 * bundled sal.h, and after the real WDK's sal.h/driverspecs.h by the shims
 * used with --wdk-include (where the real definitions expand to nothing
 * outside _PREFAST_).
 */
/* No include guard on purpose: the definitions are re-applied after each real header that clears them. */
#undef _IRQL_requires_
#undef _IRQL_requires_max_
#undef _IRQL_requires_min_
#undef _IRQL_raises_
#undef _IRQL_saves_
#undef _IRQL_restores_
#undef _IRQL_saves_global_
#undef _IRQL_restores_global_
#undef _IRQL_requires_same_
#undef _Must_inspect_result_
#undef _Check_return_
#undef _Function_class_
#undef _DDILINT_ANNOTATE
#define _DDILINT_ANNOTATE(s) __attribute__((annotate(s)))

#define _IRQL_requires_(x)            _DDILINT_ANNOTATE("ddilint:irql_requires:" #x)
#define _IRQL_requires_max_(x)        _DDILINT_ANNOTATE("ddilint:irql_requires_max:" #x)
#define _IRQL_requires_min_(x)        _DDILINT_ANNOTATE("ddilint:irql_requires_min:" #x)
#define _IRQL_raises_(x)              _DDILINT_ANNOTATE("ddilint:irql_raises:" #x)
#define _IRQL_saves_                  _DDILINT_ANNOTATE("ddilint:irql_saves")
#define _IRQL_restores_               _DDILINT_ANNOTATE("ddilint:irql_restores")
#define _IRQL_saves_global_(k, p)     _DDILINT_ANNOTATE("ddilint:irql_saves_global:" #k ":" #p)
#define _IRQL_restores_global_(k, p)  _DDILINT_ANNOTATE("ddilint:irql_restores_global:" #k ":" #p)
#define _IRQL_requires_same_          _DDILINT_ANNOTATE("ddilint:irql_requires_same")
#define _Must_inspect_result_         _DDILINT_ANNOTATE("ddilint:must_inspect_result")
#define _Check_return_                _DDILINT_ANNOTATE("ddilint:check_return")
#define _Function_class_(x)           _DDILINT_ANNOTATE("ddilint:function_class:" #x)

