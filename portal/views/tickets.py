"""Customer pages about tickets: list, new ticket, the ticket page and its actions, downloads;
and the partner's read-only list of its customers' tickets."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from contracts.services import EntitlementError
from core.errors import ServiceError
from core.files import private_file_response
from portal.forms import (
    DeclineForm,
    FollowUpForm,
    NotificationLevelForm,
    RemoteSessionForm,
    ReplyForm,
    ResolveForm,
    SatisfactionForm,
    TicketForm,
)
from portal.selectors import (
    agreement_for_user,
    new_ticket_refusals,
    ticket_form_choices,
    ticket_list,
    ticket_page,
)
from portal.views.common import customer_required, dropped_files, partner_required
from sla.models import Priority
from tickets.models import TicketStatus
from tickets.notifications.models import Level
from tickets.notifications.selectors import notification_level_of
from tickets.notifications.services import notification_level_set
from tickets.selectors import attachment_get_for_user, ticket_get_for_user
from tickets.services import (
    agreement_accept,
    agreement_decline,
    can_rate,
    message_post,
    remote_session_request,
    satisfaction_rate,
    ticket_close,
    ticket_follow_up,
    ticket_open,
    ticket_resolve_by_customer,
)

PAGE_SIZE = 25
DEFAULT_ORDERING = "due"  # portal.selectors.ticket_list sorts by the nearest due time

# docs/spec.md "Priorities": shown beside the choice on the new-ticket form.
PRIORITY_GUIDE = [
    {
        "code": Priority.P1,
        "label": Priority.P1.label,
        "definition": gettext_lazy(
            "Crash, cannot start or refuses connections: users get no service at all; major "
            "business impact."
        ),
        "example": gettext_lazy("The database server is down and all users are affected."),
    },
    {
        "code": Priority.P2,
        "label": Priority.P2.label,
        "definition": gettext_lazy(
            "Major functions do not work, large business impact; production is unstable with "
            "periodic interruptions."
        ),
        "example": gettext_lazy(
            "Some applications fail intermittently and the cause must be found."
        ),
    },
    {
        "code": Priority.P3,
        "label": Priority.P3.label,
        "definition": gettext_lazy(
            "A fault, but the system still runs; some or slight impact; enhancement requests; "
            "faults of non-production systems."
        ),
        "example": gettext_lazy("One user cannot connect to the server."),
    },
    {
        "code": Priority.P4,
        "label": Priority.P4.label,
        "definition": gettext_lazy("A defect that affects no business."),
        "example": "",
    },
]


def _priority_guide():
    # Built per request so the texts follow the active language.
    return [{key: str(value) for key, value in row.items()} for row in PRIORITY_GUIDE]


def _filter_bar(filterset) -> list[dict]:
    """The filter selects with their options and what is selected, built once in Python (a
    template loop asking the bound form for its value per option is slow)."""
    data = filterset.form.data
    bar = []
    for name, label, empty in (
        ("status", _("Status"), _("Any")),
        ("priority", _("Priority"), _("Any")),
        ("product", _("Product"), _("Any")),
        ("sla_state", _("SLA"), _("Any")),
        ("ordering", _("Sort by"), _("Nearest due time first")),
    ):
        chosen = set(data.getlist(name)) if hasattr(data, "getlist") else set()
        if name == "ordering":
            chosen.discard(DEFAULT_ORDERING)
        options = [{"value": "", "label": empty, "selected": not chosen}]
        for value, text in filterset.form.fields[name].choices:
            value = str(value)
            # The default order is the empty option: listed once.
            if value and not (name == "ordering" and value == DEFAULT_ORDERING):
                options.append(
                    {"value": value, "label": str(text)[:1].upper() + str(text)[1:],
                     "selected": value in chosen}
                )  # fmt: skip
        bar.append({"name": name, "label": label, "options": options})
    return bar


@customer_required
def ticket_list_view(request):
    filterset, page_obj = ticket_list(
        request.user, request.GET, page=request.GET.get("page"), per_page=PAGE_SIZE
    )
    return render(
        request,
        "portal/ticket_list.html",
        {
            "filter": filterset,
            "filter_bar": _filter_bar(filterset),
            "page_obj": page_obj,
            "new_ticket_refusals": new_ticket_refusals(request.user, now=timezone.now()),
        },
    )


@partner_required
def partner_ticket_list(request):
    """The partner's customers' tickets with their SLA state: read only, no thread."""
    filterset, page_obj = ticket_list(
        request.user, request.GET, page=request.GET.get("page"), per_page=PAGE_SIZE
    )
    return render(
        request,
        "portal/ticket_partner_list.html",
        {"filter": filterset, "filter_bar": _filter_bar(filterset), "page_obj": page_obj},
    )


@customer_required
def ticket_create(request):
    now = timezone.now()
    posted = request.method == "POST"
    # A post's entitlement is checked once, by ticket_open; each contract's answer is for the
    # page, read only when the page is shown.
    choices = ticket_form_choices(request.user, now=now, answers=not posted)
    # The reporter is the usual on-duty contact: offered, and changed when someone else is.
    on_duty = {"on_duty_name": request.user.get_full_name(), "on_duty_phone": request.user.phone}
    form = TicketForm(request.POST or None, request.FILES or None, choices=choices, initial=on_duty)
    refusal = None
    if posted and form.is_valid():
        try:
            ticket = ticket_open(reporter=request.user, now=now, **form.ticket_kwargs())
        except EntitlementError as exc:
            refusal = exc
            form.add_error(None, exc.message)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Ticket #%(number)s is open. Its SLA clocks have started.")
                % {"number": ticket.pk},
            )
            return redirect("portal:ticket-detail", pk=ticket.pk)
    if posted:
        choices = ticket_form_choices(request.user, now=now)
    return render(
        request,
        "portal/ticket_form.html",
        {
            "form": form,
            "choices": choices,
            "refusal": refusal,
            "priority_guide": _priority_guide(),
            "contracts": list(choices.contracts),
            "dropped_files": dropped_files(request),
        },
    )


def _render_ticket(
    request,
    pk,
    *,
    reply_form=None,
    session_form=None,
    decline_form=None,
    follow_up_form=None,
    rating_form=None,
):
    page = ticket_page(request.user, pk, now=timezone.now())
    if rating_form is None and can_rate(request.user, page.ticket):
        initial = (
            {"score": page.rating.score, "comment": page.rating.comment} if page.rating else {}
        )
        rating_form = SatisfactionForm(initial=initial)
    contract = page.ticket.contract
    if follow_up_form is None and page.ticket.status == TicketStatus.CLOSED:
        follow_up_form = FollowUpForm(
            initial={
                "subject": _("Follow-up of #%(number)s: %(subject)s")
                % {"number": page.ticket.pk, "subject": page.ticket.subject},
                "priority": page.ticket.priority,
            }
        )
    return render(
        request,
        "portal/ticket_detail.html",
        {
            "page": page,
            "ticket": page.ticket,
            "contract": contract,
            "reply_form": reply_form or ReplyForm(),
            "session_form": session_form
            or RemoteSessionForm(tz=contract.timezone, initial={"duration_minutes": 30}),
            "decline_form": decline_form or DeclineForm(),
            "follow_up_form": follow_up_form,
            "resolve_form": ResolveForm(),
            "rating_form": rating_form,
            "dropped_files": dropped_files(request),
        },
    )


@customer_required
def ticket_detail(request, pk):
    return _render_ticket(request, pk)


@customer_required
@require_POST
def ticket_reply(request, pk):
    ticket = ticket_get_for_user(request.user, pk)
    form = ReplyForm(request.POST, request.FILES)
    was_resolved = ticket.status == TicketStatus.RESOLVED
    if form.is_valid():
        try:
            message_post(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
                now=timezone.now(),
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if was_resolved:
                messages.success(
                    request,
                    _("Your reply was added and the ticket is reopened; the engineer is told."),
                )
            else:
                messages.success(request, _("Your reply was added to the ticket."))
            return redirect("portal:ticket-detail", pk=pk)
    return _render_ticket(request, pk, reply_form=form)


@customer_required
@require_POST
def ticket_follow_up_view(request, pk):
    """A closed ticket is final: open a follow-up linked to it."""
    now = timezone.now()
    ticket = ticket_get_for_user(request.user, pk)
    form = FollowUpForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            follow_up = ticket_follow_up(
                ticket=ticket, reporter=request.user, now=now, **form.cleaned_data
            )
        except ServiceError as exc:
            if ticket.status != TicketStatus.CLOSED:  # no follow-up form on the page
                messages.error(request, exc.message)
                return redirect("portal:ticket-detail", pk=pk)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Ticket #%(number)s is open as a follow-up of #%(old)s.")
                % {"number": follow_up.pk, "old": ticket.pk},
            )
            return redirect("portal:ticket-detail", pk=follow_up.pk)
    return _render_ticket(request, pk, follow_up_form=form)


@customer_required
@require_POST
def ticket_resolve_view(request, pk):
    """The customer says the problem is solved."""
    now = timezone.now()
    ticket = ticket_get_for_user(request.user, pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            ticket_resolve_by_customer(
                ticket=ticket, by=request.user, note=form.cleaned_data["note"], now=now
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("The ticket is resolved. Close it when all is well, or reply to reopen it."),
            )
    return redirect("portal:ticket-detail", pk=pk)


@customer_required
@require_POST
def ticket_close_view(request, pk):
    """The customer confirms the resolution: the ticket is closed, for good."""
    now = timezone.now()
    ticket = ticket_get_for_user(request.user, pk)
    try:
        ticket_close(ticket=ticket, by=request.user, now=now)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The ticket is closed. Thank you for confirming."))
    return redirect("portal:ticket-detail", pk=pk)


@customer_required
@require_POST
def ticket_rate_view(request, pk):
    now = timezone.now()
    ticket = ticket_get_for_user(request.user, pk)
    if not can_rate(request.user, ticket):  # no rating form on the page yet
        messages.error(request, _("A ticket can be rated once it is resolved."))
        return redirect("portal:ticket-detail", pk=pk)
    form = SatisfactionForm(request.POST)
    if form.is_valid():
        try:
            satisfaction_rate(ticket=ticket, user=request.user, now=now, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect(f"{reverse('portal:ticket-detail', kwargs={'pk': pk})}#rating")
    return _render_ticket(request, pk, rating_form=form)


@customer_required
def notification_settings(request):
    """How much the user hears by e-mail about their organisation's tickets."""
    choices = [
        (Level.ALL, _("Every update of my organisation's tickets where I am a named contact")),
        (Level.MINE, _("Only the tickets I reported")),
        (Level.NONE, _("Nothing")),
    ]
    form = NotificationLevelForm(
        request.POST or None,
        choices=choices,
        initial={"level": notification_level_of(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            notification_level_set(user=request.user, level=form.cleaned_data["level"])
        except ServiceError as exc:
            form.add_error("level", exc.message)
        else:
            messages.success(request, _("Your notification setting is saved."))
            return redirect("portal:notification-settings")
    return render(request, "portal/notification_settings.html", {"form": form})


@customer_required
@require_POST
def agreement_accept_view(request, pk, agreement_pk):
    agreement = agreement_for_user(request.user, ticket_pk=pk, pk=agreement_pk)
    try:
        agreement_accept(agreement=agreement, by=request.user, now=timezone.now())
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You accepted the new resolution time."))
    return redirect("portal:ticket-detail", pk=pk)


@customer_required
@require_POST
def agreement_decline_view(request, pk, agreement_pk):
    agreement = agreement_for_user(request.user, ticket_pk=pk, pk=agreement_pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            agreement_decline(
                agreement=agreement,
                by=request.user,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("You declined the proposal; the current due times stay."))
    return redirect("portal:ticket-detail", pk=pk)


@customer_required
@require_POST
def remote_session_request_view(request, pk):
    ticket = ticket_get_for_user(request.user, pk)
    form = RemoteSessionForm(request.POST, tz=ticket.contract.timezone)
    if form.is_valid():
        try:
            remote_session_request(
                ticket=ticket, by=request.user, now=timezone.now(), **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("Your remote session is requested. An engineer will confirm it.")
            )
            return redirect("portal:ticket-detail", pk=pk)
    return _render_ticket(request, pk, session_form=form)


@customer_required
def attachment_download(request, pk):
    attachment = attachment_get_for_user(request.user, pk)
    return private_file_response(attachment.file, filename=attachment.name)
