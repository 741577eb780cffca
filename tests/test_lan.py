"""The address phones in the room use: default route, interfaces, --public-url, loopback only."""

from __future__ import annotations

import ipaddress
import shutil
import subprocess

import pytest

from empathy_training.errors import InputError
from empathy_training.lan import LanAddress, interface_addresses, lan_address, route_address
from empathy_training.serve import normalise_public_url, shared_address


def test_the_default_route_address_comes_first() -> None:
    found = lan_address(
        route=lambda: "192.168.1.20",
        interfaces=lambda: [
            ("lo", "127.0.0.1"),
            ("docker0", "172.17.0.1"),
            ("wlan0", "192.168.1.20"),
        ],
    )
    assert found == LanAddress("192.168.1.20", "default route", ("172.17.0.1",))


def test_without_a_default_route_a_real_interface_beats_virtual_and_link_local() -> None:
    found = lan_address(
        route=lambda: None,
        interfaces=lambda: [
            ("lo", "127.0.0.1"),
            ("docker0", "172.17.0.1"),
            ("eth1", "169.254.10.2"),
            ("wlan0", "10.42.0.1"),
            ("", "127.0.1.1"),  # what the host name gives on stock Debian
        ],
    )
    assert found.address == "10.42.0.1" and found.source == "interface"
    assert found.others == ("169.254.10.2", "172.17.0.1")


@pytest.mark.parametrize("route", [None, "127.0.0.1"])
def test_loopback_only_gives_no_address(route: str | None) -> None:
    found = lan_address(
        route=lambda: route, interfaces=lambda: [("lo", "127.0.0.1"), ("", "127.0.1.1")]
    )
    assert found == LanAddress(None, "none")


def _ip(*args: str) -> str:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("ip") is None, reason="iproute2 is not installed")
def test_on_this_machine_the_address_is_the_default_routes_source() -> None:
    """Checked against `ip`, which asks the kernel the same question another way."""
    route = _ip("-4", "route", "get", "198.51.100.1").split()
    if "src" not in route:
        pytest.skip("this machine has no default route")
    expected = route[route.index("src") + 1]
    found = lan_address()
    assert found.address == expected == route_address()
    assert not ipaddress.IPv4Address(expected).is_loopback
    listed = {line.split()[3].split("/")[0] for line in _ip("-4", "-o", "addr").splitlines()}
    assert {address for _, address in interface_addresses()} >= listed


def test_public_url_overrides_everything() -> None:
    def no_lan() -> LanAddress:
        raise AssertionError("not asked")

    shared = shared_address(
        "0.0.0.0", 8866, public_url="https://ward4.example.org/et", find_lan=no_lan
    )
    assert shared.base_url == "https://ward4.example.org/et/" and not shared.warning


def test_every_interface_means_the_lan_address_never_loopback() -> None:
    shared = shared_address(
        "0.0.0.0", 9000, find_lan=lambda: LanAddress("10.1.2.3", "default route", ("10.9.9.9",))
    )
    assert shared.base_url == "http://10.1.2.3:9000/"
    assert not shared.warning and "10.9.9.9" in shared.note


def test_loopback_only_is_a_clear_warning() -> None:
    shared = shared_address("0.0.0.0", 9000, find_lan=lambda: LanAddress(None, "none"))
    assert "phones in the room cannot reach it" in shared.warning
    assert "--public-url" in shared.warning


def test_a_given_host_is_used_and_loopback_says_it_is_local() -> None:
    assert shared_address("192.168.5.5", 80).base_url == "http://192.168.5.5:80/"
    local = shared_address("127.0.0.1", 8866)
    assert local.base_url == "http://127.0.0.1:8866/" and "--host 0.0.0.0" in local.note


@pytest.mark.parametrize("bad", ["ward4.example.org", "ftp://x/", "http://", "javascript:alert(1)"])
def test_a_public_url_needs_a_scheme_and_a_host(bad: str) -> None:
    with pytest.raises(InputError, match="--public-url"):
        normalise_public_url(bad)


def test_a_public_url_keeps_its_port_and_path() -> None:
    assert normalise_public_url("http://10.0.0.5:8866") == "http://10.0.0.5:8866/"
    assert normalise_public_url(" https://x.org/a/b/ ") == "https://x.org/a/b/"
