from hotelcrm.exceptions import ApplicationError


class ReportError(ApplicationError):
    pass
