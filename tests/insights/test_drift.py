"""Image drift and re-image campaigns: who sees what, progress from however a laptop was re-imaged."""

import pytest
from django.core.exceptions import ValidationError

from devices.models import Device
from devices.services import device_reimage
from insights import services
from insights.drift import campaign_items, campaigns_with_progress, drift_by_establishment
from repairs.exceptions import ActionForbidden, TransitionNotPossible
from tests.devices.factories import DeviceFactory, EstablishmentFactory, MasterImageFactory
from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    world.old = MasterImageFactory(academie="toulouse", version="2025.1", is_current=False)
    world.outdated = [
        DeviceFactory(establishment=world.establishment, image=world.old, status=Device.Status.ASSIGNED),
        DeviceFactory(establishment=world.establishment, image=world.old, status=Device.Status.SPARE),
        DeviceFactory(establishment=world.establishment, image=None, status=Device.Status.ASSIGNED),
    ]
    DeviceFactory(establishment=world.establishment, image=world.old, status=Device.Status.RETIRED)
    return world


def test_drift_counts_outdated_laptops_by_establishment_and_version(world):
    rows = {r.uai: r for r in drift_by_establishment(user=world.manager)}
    row = rows["0310024H"]
    assert (row.current, row.devices, row.outdated) == ("2026.1", 5, 3)
    assert row.version_list == [("2025.1", 2), ("—", 1)]
    # The other establishment's laptop runs a Toulouse image in Montpellier: outdated there too.
    assert rows["0340005B"].version_list == [("2026.1", 1)]
    assert next(iter(rows)) == "0310024H"  # most outdated first


def test_drift_is_scoped_to_the_person(world):
    assert [r.uai for r in drift_by_establishment(user=world.staff)] == ["0310024H"]
    assert "0310024H" not in [r.uai for r in drift_by_establishment(user=world.other_staff)]
    assert "0310024H" not in [r.uai for r in drift_by_establishment(user=world.other_tech)]
    assert drift_by_establishment(user=world.student) == []


def test_a_manager_starts_a_campaign_listing_the_outdated_laptops(world):
    campaign = services.reimage_campaign_start(establishment=world.establishment, actor=world.manager)
    assert campaign.image == world.image
    items = campaign_items(campaign=campaign)
    assert {i.device.pk for i in items} == {d.pk for d in world.outdated}
    assert {i.state for i in items} == {"todo"}
    with pytest.raises(TransitionNotPossible):
        services.reimage_campaign_start(establishment=world.establishment, actor=world.manager)


def test_only_a_manager_starts_a_campaign_and_not_where_nothing_is_outdated(world):
    for person in (world.tech, world.staff, world.supervisor):
        with pytest.raises(ActionForbidden):
            services.reimage_campaign_start(establishment=world.establishment, actor=person)
    up_to_date = EstablishmentFactory(departement="31")
    DeviceFactory(establishment=up_to_date, image=world.image)
    with pytest.raises(ValidationError):
        services.reimage_campaign_start(establishment=up_to_date, actor=world.manager)


def test_progress_follows_reimages_from_anywhere(world):
    campaign = services.reimage_campaign_start(establishment=world.establishment, actor=world.manager)
    first, second, third = world.outdated
    device_reimage(device=first, image=world.image)  # a repair, a swap or the hand-over desk
    services.campaign_device_reimage(campaign=campaign, device=second, actor=world.tech)
    assert Device.objects.get(pk=second.pk).image == world.image
    with pytest.raises(TransitionNotPossible):
        services.campaign_device_reimage(campaign=campaign, device=second, actor=world.tech)
    with pytest.raises(ActionForbidden):
        services.campaign_device_reimage(campaign=campaign, device=third, actor=world.other_tech)
    found = campaigns_with_progress(user=world.tech).get()
    assert (found.listed, found.reimaged, found.gone) == (3, 2, 0)
    assert not campaigns_with_progress(user=world.other_tech).exists()
    assert [i.state for i in campaign_items(campaign=campaign)].count("todo") == 1
