from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from studio import (
    api,
    case_views,
    export_views,
    interviewer_views,
    practice_views,
    report_link_views,
    views,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
    path("boards/new", views.create_board, name="create_board"),
    path("boards/import", views.import_board, name="import_board"),
    path("cases/<str:slug>/start", case_views.start_case, name="start_case"),
    path("cases/<str:slug>/practice", practice_views.start, name="start_practice"),
    path("name", views.set_name, name="set_name"),
    path("join/<str:public_id>/<str:token>/", views.join, name="join"),
    path("report/<str:public_id>/<str:token>/", report_link_views.report, name="report_link"),
    path(
        "report/<str:public_id>/<str:token>/report.md",
        report_link_views.markdown,
        name="report_link_markdown",
    ),
    path(
        "report/<str:public_id>/<str:token>/diagram.svg",
        report_link_views.diagram,
        name="report_link_diagram",
    ),
    path("b/<str:public_id>/", views.board_page, name="board"),
    path("b/<str:public_id>/findings", views.findings_panel, name="findings"),
    path("b/<str:public_id>/links/<str:role>", views.rotate_link, name="rotate_link"),
    path("b/<str:public_id>/interviewer", interviewer_views.panel, name="interviewer_panel"),
    path("b/<str:public_id>/interviewer/timer", interviewer_views.timer, name="interviewer_timer"),
    path("b/<str:public_id>/interviewer/end", interviewer_views.end, name="interviewer_end"),
    path(
        "b/<str:public_id>/interviewer/findings",
        interviewer_views.findings_visibility,
        name="interviewer_findings",
    ),
    path(
        "b/<str:public_id>/interviewer/notes",
        interviewer_views.private_notes,
        name="interviewer_notes",
    ),
    path(
        "b/<str:public_id>/interviewer/score/<str:step>",
        interviewer_views.score,
        name="interviewer_score",
    ),
    path("b/<str:public_id>/export.<str:fmt>", export_views.export, name="export"),
    path("b/<str:public_id>/layout", export_views.layout, name="layout"),
    path("b/<str:public_id>/report", export_views.session_report, name="report"),
    path(
        "b/<str:public_id>/report.md", export_views.session_report_markdown, name="report_markdown"
    ),
    path("b/<str:public_id>/replay", export_views.replay, name="replay"),
    path("b/<str:public_id>/replay/<int:revision>", export_views.replay_frame, name="replay_frame"),
    path("b/<str:public_id>/case", case_views.case_panel, name="case_panel"),
    path("b/<str:public_id>/case/reveal/<str:item>", case_views.reveal, name="case_reveal"),
    path("b/<str:public_id>/case/reference.svg", case_views.reference_svg, name="case_reference"),
    path(
        "b/<str:public_id>/practice/reveal/<str:item>",
        practice_views.reveal,
        name="practice_reveal",
    ),
    path("b/<str:public_id>/practice/timer", practice_views.timer, name="practice_timer"),
    path("b/<str:public_id>/practice/finish", practice_views.finish, name="practice_finish"),
    path("b/<str:public_id>/practice/review", practice_views.review, name="practice_review"),
    path(
        "b/<str:public_id>/practice/reference.svg",
        practice_views.reference_svg,
        name="practice_reference",
    ),
    path(
        "b/<str:public_id>/practice/assess/<str:step>",
        practice_views.assess,
        name="practice_assess",
    ),
    path("b/<str:public_id>/practice/share", practice_views.share, name="practice_share"),
    path("api/boards", api.create_board, name="api_create_board"),
    path("api/boards/<str:public_id>", api.get_board, name="api_board"),
]
