from django.urls import path

from guests.views import data

# Included under "data/" in the "guests" namespace.
urlpatterns = [
    path("imports/", data.import_list, name="import-list"),
    path("imports/new/", data.import_new, name="import-new"),
    path("imports/<int:import_id>/", data.import_detail, name="import-detail"),
    path("imports/<int:import_id>/progress/", data.import_progress, name="import-progress"),
    path("imports/<int:import_id>/mapping/", data.import_mapping, name="import-mapping"),
    path("imports/<int:import_id>/report/", data.import_report, name="import-report"),
    path("imports/<int:import_id>/start/", data.import_start, name="import-start"),
    path("export.csv", data.export_csv, name="export-csv"),
    path("export.xlsx", data.export_xlsx, name="export-xlsx"),
    path("<int:guest_id>/export.json", data.guest_export_json, name="dsr-export"),
    path("<int:guest_id>/erase/", data.guest_erase, name="erase"),
]
