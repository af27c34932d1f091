"""Reference data in the admin: supervisors look, the data migrations write."""

from django.contrib import admin

from .models import Province, University


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("name",)
    ordering = ("code",)


@admin.register(University)
class UniversityAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "province")
    list_filter = ("kind", "province")
    list_select_related = ("province",)
    search_fields = ("name",)
