"""Analyses over the IR and CFGs: status flow, call graph, ... (no parser imports here)."""
