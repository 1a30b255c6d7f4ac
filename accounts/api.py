from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    team = serializers.CharField(allow_null=True)
    team_kind = serializers.CharField()
    token_scopes = serializers.ListField(child=serializers.CharField(), allow_null=True)
    token_expires_at = serializers.DateTimeField(allow_null=True)


class MeView(APIView):
    """Who the caller is: lets an integration check its token and what it may do."""

    # Knowing who you are needs no scope: any valid token or session may ask.
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeOutput)
    def get(self, request):
        user = request.user
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return Response(
            MeOutput(
                {
                    "id": user.pk,
                    "username": user.username,
                    "full_name": user.get_full_name(),
                    "role": user.role,
                    "team": user.team.name if user.team else None,
                    "team_kind": user.team_kind,
                    "token_scopes": token.scopes if token else None,
                    "token_expires_at": token.expires_at if token else None,
                }
            ).data
        )
