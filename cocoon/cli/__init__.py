"""The cocoon command line: parses options, calls the library, prints results.

Command modules import only click at import time, so ``cocoon --help`` is fast.
"""

from __future__ import annotations

import click

from cocoon import __version__
from cocoon.cli.backtest import backtest_command
from cocoon.cli.calibrate import calibrate_command
from cocoon.cli.common import CocoonGroup, remove_stale_output, use_system_memory
from cocoon.cli.demo import demo_command
from cocoon.cli.evaluate import evaluate_command
from cocoon.cli.options import CatalogueOption
from cocoon.cli.plan import plan_command
from cocoon.cli.store import (
    ingest_command,
    purge_command,
    signs_group,
    status_command,
    visits_group,
)
from cocoon.cli.trial import trial_group


@click.group(cls=CocoonGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cocoon", cls=CatalogueOption, help_key="options.version")
def main() -> None:
    """cocoon: plan near-repeat burglary cocooning.

    After a residential burglary the risk of another is raised nearby for a few weeks (high
    for 14 days after it, ages 0-14, elevated for 42 more, within about 500 m). cocoon turns reported burglaries
    and a household register into the risk zones active on a date and a ranked list of
    households to visit.

    \b
    Start with the demo (simulated burglaries, OpenStreetMap households):
      cocoon demo --out demo-output
    Then plan with your own data:
      cocoon plan --burglaries FILE --households FILE --date YYYY-MM-DD --out DIR
    Check the local near-repeat pattern (Knox test) and turn it into settings:
      cocoon calibrate FILE --write-settings local.toml
    Keep a store of what was done, and report delivery:
      cocoon ingest FILE --store cocoon.sqlite; cocoon visits import visit-list.csv; cocoon status
    Judge the zones against the burglaries that followed:
      cocoon backtest FILE --from YYYY-MM-DD --to YYYY-MM-DD
    Did cocooning work here, and can we tell yet?
      cocoon evaluate --store cocoon.sqlite --html evaluation.html
    Test it in a randomised trial (immediate against delayed cocooning):
      cocoon trial start --store cocoon.sqlite

    Every command has --help. Messages are in Swedish or English (--lang sv|en).
    """
    use_system_memory()
    remove_stale_output()


main.add_command(plan_command)
main.add_command(demo_command)
main.add_command(calibrate_command)
main.add_command(backtest_command)
main.add_command(evaluate_command)
for command in (ingest_command, visits_group, signs_group, status_command, purge_command, trial_group):
    main.add_command(command)
