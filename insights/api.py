"""/api/v1/insights/: the same reads and writes as the pages, as JSON for the region's own tools.

Scopes as on the pages: staff their establishment, technicians their zone (the depot zone:
everything), managers and supervisors everything; what a person may not see is a 404. Errors of
the services are mapped by the API's one exception handler (403, 409, 400).
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from devices import permissions as fleet
from devices.models import Role, normalise_serial
from insights import selectors, services
from insights.pools import Pool


def _pool(pool: Pool) -> dict:
    return {
        "establishment": pool.uai or None,
        "name": pool.name,
        "zone": pool.zone,
        "devices": pool.devices,
        "failures": pool.failures,
        "failures_per_week": round(pool.weekly_rate, 3),
        "spares_out_on_average": round(pool.load, 3),
        "spares": pool.spares,
        "on_loan": pool.on_loan,
        "pool": pool.pool,
        "recommended": pool.recommended,
        "recommended_september": pool.recommended_peak,
        "target": pool.target,
        "gap": pool.gap,
    }


POOL_FIELDS = {
    "establishment": serializers.CharField(allow_null=True, help_text="UAI; null for the depot."),
    "name": serializers.CharField(),
    "zone": serializers.CharField(),
    "devices": serializers.IntegerField(),
    "failures": serializers.IntegerField(),
    "failures_per_week": serializers.FloatField(),
    "spares_out_on_average": serializers.FloatField(),
    "spares": serializers.IntegerField(),
    "on_loan": serializers.IntegerField(),
    "pool": serializers.IntegerField(),
    "recommended": serializers.IntegerField(),
    "recommended_september": serializers.IntegerField(),
    "target": serializers.IntegerField(help_text="The recommendation in force today."),
    "gap": serializers.IntegerField(help_text="Positive: spares missing; negative: spares in surplus."),
}


class PoolsView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "SparePools",
            {
                "weeks": serializers.IntegerField(),
                "probability": serializers.FloatField(),
                "september_factor": serializers.FloatField(),
                "in_peak": serializers.BooleanField(),
                "pools": inline_serializer("SparePool", POOL_FIELDS, many=True),
                "moves": serializers.ListField(child=serializers.DictField()),
                "to_order": serializers.IntegerField(),
            },
        )
    )
    def get(self, request):
        plan = selectors.pool_plan_for(user=request.user)
        if plan is None:
            raise Http404
        return Response(
            {
                "weeks": plan.weeks,
                "probability": plan.probability,
                "september_factor": round(plan.peak_factor, 3),
                "in_peak": plan.in_peak,
                "pools": [_pool(pool) for pool in plan.pools],
                "moves": [
                    {"from": m.source or None, "from_depot": m.source_id is None, "to": m.target, "count": m.count}
                    for m in plan.moves
                ],
                "to_order": plan.to_order,
            }
        )


def _rate(rate) -> dict:
    return {
        "model": rate.model,
        "delivered_month": rate.delivered_month.strftime("%Y-%m") if rate.delivered_month else None,
        "category": rate.category,
        "devices": rate.devices,
        "failures": rate.failures,
        "expected": round(rate.expected, 3),
        "rate_per_1000_weekly": round(rate.rate, 3),
        "fleet_rate_per_1000_weekly": round(rate.fleet_rate, 3),
        "p_value": rate.p_value,
        "flagged": rate.flagged,
    }


class BatchesView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "FailingBatches",
            {
                "since": serializers.DateTimeField(),
                "until": serializers.DateTimeField(),
                "weeks": serializers.IntegerField(),
                "tests": serializers.IntegerField(),
                "threshold": serializers.FloatField(),
                "batches": serializers.ListField(child=serializers.DictField()),
                "models": serializers.ListField(child=serializers.DictField()),
                "notices": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    def get(self, request):
        analysis = selectors.batch_analysis_for(user=request.user)
        if analysis is None:
            raise Http404
        notices = selectors.visible_notices(user=request.user)[:100]
        return Response(
            {
                "since": analysis.since,
                "until": analysis.until,
                "weeks": analysis.weeks,
                "tests": analysis.tests,
                "threshold": analysis.threshold,
                "batches": [_rate(rate) for rate in analysis.batches if rate.failures],
                "models": [_rate(rate) for rate in analysis.models if rate.failures],
                "notices": [
                    {
                        "id": n.pk,
                        "model": str(n.model),
                        "delivered_month": n.delivered_month.strftime("%Y-%m"),
                        "category": n.category,
                        "raised_at": n.raised_at,
                        "failures": n.failures,
                        "expected": n.expected,
                        "devices": n.devices,
                        "p_value": n.p_value,
                        "tickets": len(n.ticket_ids),
                    }
                    for n in notices
                ],
            }
        )


class DriftView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "ImageDrift",
            {
                "establishments": serializers.ListField(
                    child=serializers.DictField(),
                    help_text="{establishment (UAI, null for the depot), name, current, devices, outdated, "
                    "versions: {version: count}, campaign}, most outdated first.",
                )
            },
        )
    )
    def get(self, request):
        if fleet.role_of(request.user) not in (Role.MANAGER, Role.SUPERVISOR, Role.TECHNICIAN, Role.STAFF):
            raise Http404
        rows = selectors.drift_by_establishment(user=request.user)
        return Response(
            {
                "establishments": [
                    {
                        "establishment": row.uai or None,
                        "name": row.name,
                        "zone": row.zone,
                        "current": row.current,
                        "devices": row.devices,
                        "outdated": row.outdated,
                        "versions": dict(row.version_list),
                        "campaign": row.campaign_id,
                    }
                    for row in rows
                ]
            }
        )


def _campaign(campaign, items=None) -> dict:
    data = {
        "id": campaign.pk,
        "establishment": campaign.establishment.uai,
        "image": campaign.image.version,
        "started_at": campaign.started_at,
        "closed_at": campaign.closed_at,
    }
    if items is None:
        data.update(listed=campaign.listed, reimaged=campaign.reimaged, gone=campaign.gone)
    else:
        data.update(
            listed=len(items),
            reimaged=sum(i.state == "done" for i in items),
            gone=sum(i.state == "gone" for i in items),
            devices=[
                {
                    "serial_number": i.device.serial_number,
                    "asset_tag": i.device.asset_tag,
                    "from": i.from_version,
                    "image": i.device.image.version if i.device.image_id else None,
                    "state": i.state,
                }
                for i in items
            ],
        )
    return data


CAMPAIGN_FIELDS = {
    "id": serializers.IntegerField(),
    "establishment": serializers.CharField(),
    "image": serializers.CharField(),
    "started_at": serializers.DateTimeField(),
    "closed_at": serializers.DateTimeField(allow_null=True),
    "listed": serializers.IntegerField(),
    "reimaged": serializers.IntegerField(),
    "gone": serializers.IntegerField(),
}


class CampaignsView(APIView):
    @extend_schema(responses=inline_serializer("ReimageCampaign", CAMPAIGN_FIELDS, many=True))
    def get(self, request):
        campaigns = selectors.campaigns_with_progress(user=request.user)[:200]
        return Response([_campaign(c) for c in campaigns])

    @extend_schema(
        request=inline_serializer("ReimageCampaignStart", {"establishment": serializers.CharField(help_text="UAI")}),
        responses={201: inline_serializer("ReimageCampaignStarted", CAMPAIGN_FIELDS)},
    )
    def post(self, request):
        uai = str(request.data.get("establishment") or "").strip().upper()
        establishment = fleet.visible_establishments(user=request.user).filter(uai=uai).first()
        if establishment is None:
            raise Http404
        campaign = services.reimage_campaign_start(establishment=establishment, actor=request.user)
        found = selectors.campaigns_with_progress(user=request.user).get(pk=campaign.pk)
        return Response(_campaign(found), status=status.HTTP_201_CREATED)


class CampaignDetailView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "ReimageCampaignDetail",
            {**CAMPAIGN_FIELDS, "devices": serializers.ListField(child=serializers.DictField())},
        )
    )
    def get(self, request, pk: int):
        campaign = get_object_or_404(
            selectors.visible_campaigns(user=request.user).select_related("establishment", "image"), pk=pk
        )
        return Response(_campaign(campaign, selectors.campaign_items(campaign=campaign)))


class CampaignReimageView(APIView):
    @extend_schema(
        request=inline_serializer("ReimageRecord", {"device": serializers.CharField(help_text="serial number")}),
        responses=inline_serializer(
            "ReimageRecorded",
            {"device": serializers.CharField(), "from": serializers.CharField(), "to": serializers.CharField()},
        ),
    )
    def post(self, request, pk: int):
        campaign = get_object_or_404(
            selectors.visible_campaigns(user=request.user).select_related("establishment"), pk=pk
        )
        device = get_object_or_404(
            fleet.visible_devices(user=request.user), serial_number=normalise_serial(str(request.data.get("device")))
        )
        return Response(services.campaign_device_reimage(campaign=campaign, device=device, actor=request.user))
