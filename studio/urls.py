from django.urls import path

from studio import api, interviewer_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("boards/new", views.create_board, name="create_board"),
    path("boards/import", views.import_board, name="import_board"),
    path("name", views.set_name, name="set_name"),
    path("join/<str:public_id>/<str:token>/", views.join, name="join"),
    path("b/<str:public_id>/", views.board_page, name="board"),
    path("b/<str:public_id>/findings", views.findings_panel, name="findings"),
    path("b/<str:public_id>/links/<str:role>", views.rotate_link, name="rotate_link"),
    path("b/<str:public_id>/interviewer", interviewer_views.panel, name="interviewer_panel"),
    path("b/<str:public_id>/interviewer/timer", interviewer_views.timer, name="interviewer_timer"),
    path("b/<str:public_id>/interviewer/notes", interviewer_views.private_notes,
         name="interviewer_notes"),
    path("b/<str:public_id>/interviewer/score/<str:step>", interviewer_views.score,
         name="interviewer_score"),
    path("api/boards", api.create_board, name="api_create_board"),
    path("api/boards/<str:public_id>", api.get_board, name="api_board"),
]
