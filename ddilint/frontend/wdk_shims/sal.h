/*
 * ddilint shim for the real WDK's sal.h (used with --wdk-include): read the
 * real header, then restore the annotations ddilint needs, which the real
 * header defines to nothing outside code analysis (_PREFAST_).
 */
#include_next <sal.h>
#include "../headers/ddilint_annotations.h"
