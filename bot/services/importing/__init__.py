"""Creating chats from a file: read a CSV / XLSX / XLS, validate every row, plan, report.

Pure logic (no VK, no database). `read_table` turns an upload into rows by column name,
`plan_import` checks them all and splits them into chats to create, chats that exist already
and rejected rows (each with every reason, in Russian), `template_xlsx` is the file staff fill
in, `rejected_report_xlsx` returns the rejected rows with «Что исправить»; that report can be
corrected and sent back as is (its extra columns are ignored).
"""

from bot.services.importing.model import (
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    REQUIRED,
    ROW_KEY,
    ChatRow,
    ImportFileError,
    ImportPlan,
    RejectedRow,
    RepresentativeSpec,
    normalise_title,
)
from bot.services.importing.reading import read_table
from bot.services.importing.validation import plan_import
from bot.services.importing.workbooks import rejected_report_xlsx, template_xlsx

__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "REQUIRED",
    "ROW_KEY",
    "ChatRow",
    "ImportFileError",
    "ImportPlan",
    "RejectedRow",
    "RepresentativeSpec",
    "normalise_title",
    "plan_import",
    "read_table",
    "rejected_report_xlsx",
    "template_xlsx",
]
