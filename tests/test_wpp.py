"""WPP stand-ins: a missing .tmh gets the WPP macros and the driver's own trace functions."""

from __future__ import annotations

from ddilint.frontend.wpp import wpp_stand_ins

SOURCE = """
// begin_wpp config
// FUNC TraceEvents(LEVEL, FLAGS, MSG, ...);
// FUNC TraceError{LEVEL=TRACE_LEVEL_ERROR}(FLAGS, MSG, ...);
// USEPREFIX(TraceEvents, "%!STDPREFIX!");
// end_wpp
#include "driver.tmh"
"""


def test_missing_tmh_gets_a_stand_in_with_the_configured_functions(tmp_path):
    src = tmp_path / "driver.c"
    src.write_text(SOURCE, encoding="utf-8")
    [(path, text)] = wpp_stand_ins(str(src), SOURCE, [])
    assert path == str(tmp_path / "driver.tmh")
    assert "#define TraceEvents(_ddilint_key0, _ddilint_key1, MSG, ...) WppTrace(MSG, ##__VA_ARGS__)" in text
    assert "#define TraceError(_ddilint_key0, MSG, ...) WppTrace(MSG, ##__VA_ARGS__)" in text
    assert "#define WPP_INIT_TRACING(...)" in text and "DoTraceMessage(FLAG, MSG, ...)" in text


def test_existing_tmh_is_used_as_it_is(tmp_path):
    src = tmp_path / "driver.c"
    src.write_text(SOURCE, encoding="utf-8")
    (tmp_path / "driver.tmh").write_text("/* generated */\n", encoding="utf-8")
    assert wpp_stand_ins(str(src), SOURCE, []) == []


def test_config_in_a_header_beside_the_file(tmp_path):
    (tmp_path / "trace.h").write_text("// begin_wpp config\n// FUNC LogIt(FLAG, MSG, ...);\n// end_wpp\n", "utf-8")
    text = '#include "trace.h"\n#include "x.tmh"\n'
    [(_, stand_in)] = wpp_stand_ins(str(tmp_path / "x.c"), text, [])
    assert "#define LogIt(_ddilint_key0, MSG, ...)" in stand_in
