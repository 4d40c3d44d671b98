"""The Board's written response and the Panel's response are named without "the": a history
says "changed the Board's written response", never "changed the the Board's written response".
The forms keep their labels ("The Board's written response")."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0017_chronology_reopened_reason_unsaid'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalreview',
            name='board_response',
            field=models.TextField(blank=True, verbose_name="Board's written response"),
        ),
        migrations.AlterField(
            model_name='historicalreview',
            name='panel_response',
            field=models.TextField(blank=True, help_text='What the national Panel said.', verbose_name="Panel's response"),
        ),
        migrations.AlterField(
            model_name='review',
            name='board_response',
            field=models.TextField(blank=True, verbose_name="Board's written response"),
        ),
        migrations.AlterField(
            model_name='review',
            name='panel_response',
            field=models.TextField(blank=True, help_text='What the national Panel said.', verbose_name="Panel's response"),
        ),
    ]
