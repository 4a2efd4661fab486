import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('account', '0001_initial'),
        ('saleor_oci_plugin', '0009_organisation_legal_id'),
    ]

    operations = [
        migrations.AddField(
            model_name='buyerorganisation',
            name='delivery_address',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='account.address'),
        ),
    ]
