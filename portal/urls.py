from django.urls import path

from portal.views import auth, contracts, dashboard, partner, satisfaction, tickets

app_name = "portal"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Accounts
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/reset/", auth.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", auth.PasswordResetSentView.as_view(), name="password-reset-sent"),
    # The link of an invitation (a new named contact) and of a password reset.
    path("password/set/<uidb64>/<token>/", auth.PasswordSetView.as_view(), name="password-set"),
    path("language/", auth.language, name="language"),
    path("two-factor/", auth.two_factor, name="two-factor"),
    path("account/api-tokens/", auth.api_tokens, name="api-tokens"),
    # Customers: tickets
    path("tickets/", tickets.ticket_list_view, name="ticket-list"),
    path("tickets/new/", tickets.ticket_create, name="ticket-create"),
    path("tickets/<int:pk>/", tickets.ticket_detail, name="ticket-detail"),
    path("tickets/<int:pk>/reply/", tickets.ticket_reply, name="ticket-reply"),
    path("tickets/<int:pk>/follow-up/", tickets.ticket_follow_up_view, name="ticket-follow-up"),
    path("tickets/<int:pk>/resolve/", tickets.ticket_resolve_view, name="ticket-resolve"),
    path("tickets/<int:pk>/close/", tickets.ticket_close_view, name="ticket-close"),
    path("tickets/<int:pk>/rating/", tickets.ticket_rate_view, name="ticket-rate"),
    # The signed link of the resolved notification: rates without logging in.
    path("satisfaction/<str:token>/", satisfaction.satisfaction_link, name="satisfaction-link"),
    path("account/notifications/", tickets.notification_settings, name="notification-settings"),
    path(
        "tickets/<int:pk>/agreements/<int:agreement_pk>/accept/",
        tickets.agreement_accept_view,
        name="agreement-accept",
    ),
    path(
        "tickets/<int:pk>/agreements/<int:agreement_pk>/decline/",
        tickets.agreement_decline_view,
        name="agreement-decline",
    ),
    path(
        "tickets/<int:pk>/remote-sessions/",
        tickets.remote_session_request_view,
        name="remote-session-request",
    ),
    path("attachments/<int:pk>/", tickets.attachment_download, name="attachment-download"),
    # Customers: contracts and named contacts
    path("contracts/", contracts.contract_list, name="contract-list"),
    path("contracts/<int:pk>/contacts/", contracts.contract_contacts, name="contract-contacts"),
    path(
        "contracts/<int:pk>/contacts/<int:contact_pk>/remove/",
        contracts.contact_remove_view,
        name="contact-remove",
    ),
    path(
        "contracts/<int:pk>/contacts/<int:contact_pk>/replace/",
        contracts.contact_replace_view,
        name="contact-replace",
    ),
    # Partners
    path("partner/", partner.partner_dashboard, name="partner-dashboard"),
    path("partner/tickets/", tickets.partner_ticket_list, name="partner-ticket-list"),
    path("partner/registrations/", partner.registration_list, name="registration-list"),
    path("partner/registrations/new/", partner.registration_create, name="registration-create"),
    path(
        "partner/registrations/<int:pk>/", partner.registration_detail, name="registration-detail"
    ),
    path(
        "partner/registrations/<int:pk>/proof/",
        partner.registration_proof,
        name="registration-proof",
    ),
]
