"""The jobs the commands run, from input files to output files.

This is the edge of the library: each job reads the inputs, calls the analysis functions
(which take and return tables) and writes the outputs. The command line only parses options,
calls one job and prints its result.
"""

from cocoon.jobs.backtest import BacktestRequest, BacktestResult, run_backtest_job
from cocoon.jobs.calibrate import CalibrateRequest, CalibrateResult, run_calibrate
from cocoon.jobs.demo import DemoResult, run_demo
from cocoon.jobs.plan import PlanRequest, PlanResult, plan_settings, run_plan

__all__ = [
           "BacktestRequest",
           "BacktestResult",
           "CalibrateRequest",
           "CalibrateResult",
           "DemoResult",
           "PlanRequest",
           "PlanResult",
           "plan_settings",
           "run_backtest_job",
           "run_calibrate",
           "run_demo",
           "run_plan",
]
