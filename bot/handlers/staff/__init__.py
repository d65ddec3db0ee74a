"""The staff flow: inviting staff by phone (`invite`) and the staff list (`members`)."""
