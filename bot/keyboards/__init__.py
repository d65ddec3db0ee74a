"""Keyboards are pure functions (data in, VK keyboard JSON out), one module per flow, with the
shared pieces in `common` and the paged lists in `lists`."""
