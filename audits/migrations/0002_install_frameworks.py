"""Install the Section 11 and Section 175/157 frameworks of standards (editable in the admin)."""

from django.db import migrations


def install(apps, schema_editor):
    from audits.frameworks import install as install_frameworks

    install_frameworks(apps.get_model("audits", "Framework"), apps.get_model("audits", "Standard"))


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
