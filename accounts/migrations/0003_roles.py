"""The two support roles as groups. Existing staff keep what they could do: managers (the old
is_support_manager flag) join "support manager", other staff "support engineer". Each group's
permissions are set after every migrate by accounts.roles.sync_role_permissions."""

from django.db import migrations

ENGINEER = "support engineer"
MANAGER = "support manager"


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("accounts", "User")
    engineer, _ = Group.objects.get_or_create(name=ENGINEER)
    manager, _ = Group.objects.get_or_create(name=MANAGER)
    for user in User.objects.filter(is_staff=True):
        user.groups.add(manager if user.is_support_manager else engineer)


def drop_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("accounts", "User")
    User.objects.filter(groups__name=MANAGER).update(is_support_manager=True)
    Group.objects.filter(name__in=[ENGINEER, MANAGER]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_roles, drop_roles),
        migrations.RemoveField(model_name="user", name="is_support_manager"),
    ]
