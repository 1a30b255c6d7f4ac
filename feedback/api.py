"""The feedback API: list, give, answer and discuss feedback. Writes go through services."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response

from accounts.models import User
from campaigns.models import Campaign
from feedback import selectors, services
from feedback.filters import FeedbackFilter
from feedback.models import FeedbackComment, FeedbackItem, Kind, Status
from leads.models import Account, Lead
from smarketing.api import ConditionalMixin


@extend_schema_field({"type": "string", "allOf": [{"enum": Kind.values}]})
class FeedbackKindField(serializers.ChoiceField):
    """The kind, documented inline: other areas have their own "kind" enums."""

    def __init__(self, **kwargs):
        super().__init__(choices=Kind.choices, **kwargs)


@extend_schema_field({"type": "string", "allOf": [{"enum": Status.values}]})
class FeedbackStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Status.choices, **kwargs)


ANSWER_STATUSES = [(value, label) for value, label in Status.choices if value != Status.NEW]


@extend_schema_field(
    {"type": "string", "allOf": [{"enum": [value for value, _ in ANSWER_STATUSES]}]}
)
class FeedbackAnswerStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ANSWER_STATUSES, **kwargs)


class FeedbackOutput(serializers.ModelSerializer):
    kind = FeedbackKindField(read_only=True)
    status = FeedbackStatusField(read_only=True)
    author: "serializers.PrimaryKeyRelatedField[User]" = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    author_name = serializers.SerializerMethodField()
    answered_by: "serializers.PrimaryKeyRelatedField[User]" = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    tags = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = FeedbackItem
        fields = [
            "id",
            "kind",
            "status",
            "author",
            "author_name",
            "lead",
            "campaign",
            "account",
            "rating",
            "text",
            "competitor",
            "tags",
            "reason_code",
            "stage_change",
            "answer",
            "answered_by",
            "answered_at",
            "status_changed_at",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    def get_author_name(self, item) -> str:
        return str(item.author)

    def get_tags(self, item) -> list[str]:
        return [tag.name for tag in item.tags.all()]

    def get_url(self, item) -> str:
        return reverse("feedback:detail", args=[item.pk])


class FeedbackCreateInput(serializers.Serializer):
    kind = FeedbackKindField()
    text = serializers.CharField(max_length=5000)
    rating = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    competitor = serializers.CharField(max_length=100, required=False, allow_blank=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=10
    )
    # Any lead id is accepted here; the service answers "choose one of your leads" for
    # leads the caller may not see, exactly as for leads that do not exist.
    lead = serializers.PrimaryKeyRelatedField(
        queryset=Lead.objects.all(), required=False, allow_null=True
    )
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), required=False, allow_null=True
    )
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(), required=False, allow_null=True
    )

    def to_internal_value(self, data):
        # An unknown lead gets the same message as a lead the caller may not see.
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if isinstance(error.detail, dict) and "lead" in error.detail:
                error.detail["lead"] = [ErrorDetail("Choose one of your leads.")]
            raise


class FeedbackAnswerInput(serializers.Serializer):
    status = FeedbackAnswerStatusField()
    answer = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class FeedbackCommentOutput(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = FeedbackComment
        fields = ["id", "item", "author", "author_name", "text", "created_at"]
        read_only_fields = fields

    def get_author_name(self, comment) -> str:
        return str(comment.author)


class FeedbackCommentInput(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class FeedbackViewSet(
    ConditionalMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Feedback from sales to marketing: all signed-in read, sales gives, marketing answers."""

    scope_area = "feedback"
    serializer_class = FeedbackOutput
    filterset_class = FeedbackFilter

    def get_queryset(self):
        return selectors.feedback_items().order_by("-created_at", "-id")

    @extend_schema(request=FeedbackCreateInput, responses={201: FeedbackOutput})
    def create(self, request, *args, **kwargs):
        payload = FeedbackCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        item = services.feedback_create(author=request.user, **payload.validated_data)
        item = self.get_queryset().get(pk=item.pk)
        return Response(FeedbackOutput(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FeedbackAnswerInput, responses={200: FeedbackOutput})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Acknowledge, action or decline (``status``) with marketing's ``answer``."""
        item = self.get_object()
        payload = FeedbackAnswerInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.feedback_answer(item=item, actor=request.user, **payload.validated_data)
        item = self.get_queryset().get(pk=item.pk)
        return Response(FeedbackOutput(item).data)

    @extend_schema(methods=["GET"], request=None, responses={200: FeedbackCommentOutput(many=True)})
    @extend_schema(
        methods=["POST"], request=FeedbackCommentInput, responses={201: FeedbackCommentOutput}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def comments(self, request, pk=None):
        """The item's thread, oldest first; the author and marketing post to it."""
        item = get_object_or_404(self.get_queryset(), pk=pk)
        if request.method == "GET":
            return Response(FeedbackCommentOutput(selectors.item_comments(item), many=True).data)
        payload = FeedbackCommentInput(data=request.data)
        payload.is_valid(raise_exception=True)
        comment = services.feedback_comment_add(
            item=item, author=request.user, text=payload.validated_data["text"]
        )
        return Response(FeedbackCommentOutput(comment).data, status=status.HTTP_201_CREATED)
