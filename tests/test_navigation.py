from django.urls import reverse


def test_admins_find_the_imports_and_the_admin_from_every_page(client, national_admin):
    client.force_login(national_admin)
    page = client.get(reverse("national")).content.decode()
    assert f'href="{reverse("administration:imports")}"' in page
    assert (f'href="{reverse("admin:index")}"' in page) is national_admin.is_staff


def test_other_roles_see_no_administration_links(client, province_viewer):
    client.force_login(province_viewer)
    page = client.get(reverse("region_dashboard", args=["64"])).content.decode()
    assert reverse("administration:imports") not in page
