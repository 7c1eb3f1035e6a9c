"""`remit --help` lists the commands."""


async def test_cli_help_lists_commands() -> None:
    from gateway.commands import build_parser

    text = build_parser().format_help()
    for command in ("serve", "demo", "db", "keys", "partners", "partner-sim"):
        assert command in text
