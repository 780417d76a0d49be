"""The duplicates review queue, the side-by-side merge, undo and dismiss."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guests import merge as merging
from guests.access import openable_profile_ids
from guests.exceptions import GuestError
from hotelcrm.models import Role
from hotelcrm.permissions import has_role_at_least, role_required

PAGE_SIZE = 25
SIDES = ("a", "b")


def _masked(guest):
    name = guest.family_name or guest.native_name or guest.given_name
    return f"{name[:1]}***" if name else "***"


@role_required(Role.GUEST_RELATIONS)
def duplicate_queue(request):
    candidates = merging.duplicate_candidates(organization=request.organization)
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = merging.duplicate_candidates_attach(organization=request.organization, candidates=list(page.object_list))
    # One query for the whole page: confidential profiles show a masked name to those who may not open them.
    openable = openable_profile_ids(request=request, guests=[g for row in rows for g in (row.a, row.b)])
    for row in rows:
        row.is_masked = not (row.a.pk in openable and row.b.pk in openable)
        if row.is_masked:
            row.a_label, row.b_label = _masked(row.a), _masked(row.b)
        else:
            row.a_label, row.b_label = row.a.display_name, row.b.display_name
    page.object_list = rows
    can_undo = has_role_at_least(request, Role.MANAGER)
    context = {
        "page": page,
        "total": len(candidates),
        "limit": merging.CANDIDATE_LIMIT,
        "can_undo": can_undo,
        "merges": merging.merge_list(organization=request.organization) if can_undo else [],
    }
    return render(request, "guests/merge/queue.html", context)


def _pair_or_404(request, a_id, b_id):
    pair = merging.duplicate_pair_get(organization=request.organization, a_id=a_id, b_id=b_id)
    if pair is None:
        raise Http404
    return pair


def _compare_rows(a, b, details):
    rows = []
    for name in merging.differing_groups(a, b):
        label, _fields = merging.MERGE_FIELD_GROUPS[name]
        rows.append({"key": name, "label": label, "a": _display(a, name), "b": _display(b, name)})
    prefs_a, prefs_b = details[a.pk]["preferences"], details[b.pk]["preferences"]
    for type_id in sorted(set(prefs_a) & set(prefs_b)):
        pa, pb = prefs_a[type_id], prefs_b[type_id]
        if (pa.value, pa.sensitive_value) == (pb.value, pb.sensitive_value):
            continue
        hidden = _("(sensitive, hidden)")
        rows.append(
            {
                "key": f"{merging.PREFERENCE_CHOICE_PREFIX}{type_id}",
                "label": pa.preference_type.name,
                "a": hidden if pa.preference_type.is_sensitive else pa.value,
                "b": hidden if pb.preference_type.is_sensitive else pb.value,
            }
        )
    return rows


def _display(guest, group):
    if group == "name":
        return guest.display_name
    if group == "document":
        if not guest.document_number:
            return ""
        return f"{guest.get_document_type_display()} ···{guest.document_number[-4:]}"
    value = getattr(guest, group)
    display = getattr(guest, f"get_{group}_display", None)
    return display() if display and value else value


def _field_choices(post, rows, survivor_side):
    """Form sides ("a"/"b") to the service's "survivor"/"merged"; None if the form is malformed."""
    choices = {}
    other_side = "b" if survivor_side == "a" else "a"
    for row in rows:
        # Unpicked: the kept profile's value, unless it has none and the other profile has one.
        default = (
            other_side if row[survivor_side] in ("", None) and row[other_side] not in ("", None) else survivor_side
        )
        side = post.get(f"choice-{row['key']}", default)
        if side not in SIDES:
            return None
        choices[row["key"]] = merging.SURVIVOR if side == survivor_side else merging.MERGED
    return choices


@role_required(Role.GUEST_RELATIONS)
@require_http_methods(["GET", "POST"])
def merge_compare(request, a_id, b_id):
    a, b = _pair_or_404(request, a_id, b_id)
    if a.pk == b.pk:
        messages.error(request, _("A profile cannot be merged with itself."))
        return redirect("guests:duplicates")
    if a.merged_into_id or b.merged_into_id:
        messages.error(request, _("One of these profiles has already been merged into another."))
        return redirect("guests:duplicates")
    openable = openable_profile_ids(request=request, guests=[a, b])
    if a.pk not in openable or b.pk not in openable:
        return render(request, "guests/merge/restricted.html", status=403)
    details = merging.merge_pair_details(organization=request.organization, guests=[a, b])
    rows = _compare_rows(a, b, details)
    error = None
    if request.method == "POST":
        survivor_side = request.POST.get("survivor", "")
        choices = _field_choices(request.POST, rows, survivor_side) if survivor_side in SIDES else None
        if choices is None:
            error = _("Choose which profile is kept and which profile each field is taken from.")
        else:
            survivor, merged = (a, b) if survivor_side == "a" else (b, a)
            try:
                record = merging.guest_merge(
                    survivor=survivor, merged=merged, field_choices=choices, actor=request.user, request=request
                )
            except GuestError as exc:
                error = exc.message
            else:
                messages.success(request, _("Profiles merged. A manager can undo the merge from the duplicates page."))
                return redirect("guests:detail", guest_id=record.survivor_id)
    # Shown side by side: birth date, address and document are sensitive, so the look is audited first.
    merging.merge_review_record(guests=[a, b], actor=request.user, request=request, hotel=request.hotel)
    context = {
        "a": a,
        "b": b,
        "rows": rows,
        "details_a": details[a.pk],
        "details_b": details[b.pk],
        "error": error,
        "survivor_side": request.POST.get("survivor", "a") if request.method == "POST" else "a",
    }
    return render(request, "guests/merge/compare.html", context, status=400 if error else 200)


@role_required(Role.GUEST_RELATIONS)
@require_POST
def duplicate_dismiss(request, a_id, b_id):
    a, b = _pair_or_404(request, a_id, b_id)
    try:
        merging.duplicate_dismiss(guest_a=a, guest_b=b, actor=request.user, request=request)
    except GuestError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked as different guests; the pair leaves the queue."))
    return redirect("guests:duplicates")


@role_required(Role.MANAGER)
@require_POST
def merge_undo(request, merge_id):
    record = merging.merge_get(organization=request.organization, merge_id=merge_id)
    if record is None:
        raise Http404
    try:
        merging.guest_merge_undo(merge=record, actor=request.user, request=request)
    except GuestError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Merge undone: both profiles are back as they were."))
    return redirect("guests:duplicates")
