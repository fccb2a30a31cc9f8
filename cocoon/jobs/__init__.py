"""The jobs the commands run, from input files to output files: one module per command.

This is the edge of the library: each job reads the inputs, calls the analysis functions
(which take and return tables) and writes the outputs. The command line only parses options,
calls one job and prints its result. Jobs may import every library layer; nothing in the
library imports a job.
"""
