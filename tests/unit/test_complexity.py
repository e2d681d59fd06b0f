"""No function of the procedure core or of the card builders is graded worse than C by radon (cyclomatic
complexity over 20): a rule of the procedure, or a card, should be readable in one sitting."""

from __future__ import annotations

from pathlib import Path

import pytest
from radon.complexity import cc_rank, cc_visit
from radon.visitors import Class, Function

ROOT = Path(__file__).resolve().parents[2]
WORST_GRADE = "C"


def functions(blocks: list) -> list[Function]:
    """Every function, method and closure among radon's blocks."""
    found = []
    for block in blocks:
        if isinstance(block, Class):
            found += functions(block.methods + block.inner_classes)
        else:
            found += [block, *functions(block.closures)]
    return found


@pytest.mark.parametrize("package", ["cme", "cards"])
def test_no_function_is_graded_worse_than_c(package):
    too_complex = [f"{path.relative_to(ROOT)}:{function.lineno} {function.fullname} is "
                   f"{cc_rank(function.complexity)} ({function.complexity})"
                   for path in sorted((ROOT / package).rglob("*.py"))
                   for function in functions(cc_visit(path.read_text()))
                   if cc_rank(function.complexity) > WORST_GRADE]
    assert not too_complex, "split into smaller functions (`radon cc -s` shows them): " + "; ".join(too_complex)
