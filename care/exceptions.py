from hotelcrm.exceptions import ApplicationError


class CareError(ApplicationError):
    code = "care_error"
