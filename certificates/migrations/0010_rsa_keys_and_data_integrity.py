"""Issuer keys of two types (RSA for the VC-JWT, Ed25519 for Data Integrity proofs) and the
credential's Data Integrity form (decision 0020). Every key recorded before is an Ed25519 key
that signed EdDSA VC-JWTs."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0009_proof_of_professional_qualification"),
    ]

    operations = [
        migrations.AddField(
            model_name="issuerkey",
            name="key_type",
            field=models.CharField(
                choices=[("Ed25519", "Ed25519"), ("RSA", "RSA")],
                default="Ed25519",
                max_length=10,
                verbose_name="key type",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="issuerkey",
            name="algorithm",
            field=models.CharField(default="EdDSA", max_length=10, verbose_name="JWS algorithm"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="certificatecredential",
            name="data_integrity",
            field=models.TextField(blank=True, verbose_name="signed credential (Data Integrity)"),
        ),
    ]
