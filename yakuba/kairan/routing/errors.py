"""Errors raised for bad input to the circulation-route optimiser."""


class RouteInputError(ValueError):
    """Input a person supplied (a CSV of house positions, a TSPLIB file, a 班長 without a position) is unusable.

    The message is in Japanese and names the file line where there is one, so that the command line and
    the web pages can show it to staff as it is.
    """


class TsplibError(RouteInputError):
    """A TSPLIB file this package cannot read (not a symmetric ``EUC_2D`` ``NODE_COORD_SECTION`` instance)."""
