"""The organizations that are inspected, the offices and departments that
work in the system, and the cadre pool from which teams are formed."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A district, county or county-level city (区县（市）) of the city."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        COUNTY = "county", _("县")
        COUNTY_CITY = "county_city", _("县级市")
        CITY_LEVEL = "city", _("市本级")

    code = models.CharField(_("区划代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("区县（市）")
        verbose_name_plural = _("区县（市）")

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    """An inspection office: the city's (市委巡察办) or a district's."""

    class Level(models.TextChoices):
        CITY = "city", _("市级")
        DISTRICT = "district", _("区县级")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    region = models.OneToOneField(
        Region,
        verbose_name=_("所属区县"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("市委巡察办留空。"),
    )

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("巡察机构")
        verbose_name_plural = _("巡察机构")
        constraints = [
            models.CheckConstraint(
                name="office_district_has_region",
                condition=models.Q(level="city", region__isnull=True)
                | models.Q(level="district", region__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_city(self) -> bool:
        return self.level == self.Level.CITY


class Department(models.Model):
    """A receiving department (接收部门): clues and recommendations go to it."""

    class Kind(models.TextChoices):
        DISCIPLINE = "discipline", _("纪委监委")
        ORGANIZATION = "organization", _("组织部")
        OTHER = "other", _("其他职能部门")

    code = models.CharField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区县"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("市级部门留空。"),
    )
    # Object permissions for what is handed to the department are granted to
    # this group, so a new member of the department sees its ledger at once.
    group = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, related_name="department", editable=False
    )

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("接收部门")
        verbose_name_plural = _("接收部门")

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    """A Party organization (党组织) that can be inspected; the tree of them."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        LEADING_GROUP = "leading_group", _("党组")
        WORKING_COMMITTEE = "working_committee", _("党工委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")

    class Sector(models.TextChoices):
        GOVERNMENT = "government", _("党政机关")
        INSTITUTION = "institution", _("事业单位")
        STATE_ENTERPRISE = "state_enterprise", _("国有企业")
        UNIVERSITY = "university", _("高校")
        TOWNSHIP = "township", _("乡镇（街道）")
        VILLAGE = "village", _("村（社区）")
        POLITICAL_LEGAL = "political_legal", _("政法单位")
        OTHER = "other", _("其他")

    class Level(models.TextChoices):
        CITY = "city", _("市直")
        COUNTY = "county", _("区县")
        TOWNSHIP = "township", _("乡镇")
        VILLAGE = "village", _("村")

    code = models.CharField(
        _("组织编码"), max_length=40, unique=True, help_text=_("导入时用来识别组织。")
    )
    name = models.CharField(_("党组织名称"), max_length=200)
    short_name = models.CharField(_("单位简称"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级党组织"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    kind = models.CharField(_("组织类别"), max_length=20, choices=Kind.choices)
    sector = models.CharField(_("领域"), max_length=20, choices=Sector.choices)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区县（市）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        help_text=_("市直单位留空。"),
    )
    leader_name = models.CharField(_("主要负责人"), max_length=50, blank=True)
    leader_title = models.CharField(_("主要负责人职务"), max_length=100, blank=True)
    leader_user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("主要负责人账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_organizations",
        help_text=_("用于整改方案签字背书和红色预警通知。"),
    )
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        indexes = [
            models.Index(fields=["region", "sector", "level"], name="org_region_sector_level"),
            # Lists grouped by organization name (the overdue list) walk it.
            models.Index(fields=["name", "id"], name="org_name"),
        ]
        constraints = [
            models.CheckConstraint(
                name="organization_not_own_parent",
                condition=~models.Q(parent=models.F("pk")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:organization_detail", args=[self.pk])


class Specialty(models.Model):
    """A field of expertise a team needs: 党务, 财务, 审计, 法律, 工程, 农村工作 ..."""

    name = models.CharField(_("名称"), max_length=30, unique=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("专业特长")
        verbose_name_plural = _("专业特长")

    def __str__(self) -> str:
        return self.name


class Cadre(models.Model):
    """A person who can be seconded to an inspection team (干部库)."""

    class Rank(models.TextChoices):
        DEPARTMENT = "department", _("处级")
        SECTION = "section", _("科级")
        OTHER = "other", _("其他")

    code = models.CharField(_("干部编号"), max_length=30, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(
        _("性别"), max_length=1, choices=[("M", _("男")), ("F", _("女"))], blank=True
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("所在单位"),
        on_delete=models.PROTECT,
        related_name="cadres",
    )
    position = models.CharField(_("职务"), max_length=100, blank=True)
    rank = models.CharField(_("职级"), max_length=20, choices=Rank.choices)
    specialties = models.ManyToManyField(Specialty, verbose_name=_("专业特长"), blank=True)
    in_leader_pool = models.BooleanField(_("组长库"), default=False)
    in_talent_pool = models.BooleanField(_("人才库"), default=True)
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cadre",
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("可选派"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("干部")
        verbose_name_plural = _("干部库")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:cadre_detail", args=[self.pk])


class CadreRelation(models.Model):
    """A declared relative (配偶、直系亲属) and where they work, for 任职回避."""

    class Relation(models.TextChoices):
        SPOUSE = "spouse", _("配偶")
        PARENT = "parent", _("父母")
        CHILD = "child", _("子女")
        SIBLING = "sibling", _("兄弟姐妹")
        IN_LAW = "in_law", _("配偶父母")
        OTHER = "other", _("其他近亲属")

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="relations")
    relation = models.CharField(_("关系"), max_length=20, choices=Relation.choices)
    name = models.CharField(_("姓名"), max_length=50)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("工作单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    workplace = models.CharField(
        _("工作单位（库外）"), max_length=200, blank=True, help_text=_("不在组织库中的单位。")
    )
    position = models.CharField(_("职务"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("亲属关系")
        verbose_name_plural = _("亲属关系")

    def __str__(self) -> str:
        return f"{self.get_relation_display()} {self.name}"


class CadreWorkHistory(models.Model):
    """Where a cadre worked before: also a ground for recusal."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="work_history")
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    workplace = models.CharField(_("单位（库外）"), max_length=200, blank=True)
    position = models.CharField(_("职务"), max_length=100, blank=True)
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("截止日期"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("工作经历")
        verbose_name_plural = _("工作经历")
        constraints = [
            models.CheckConstraint(
                name="work_history_dates_in_order",
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workplace or self.organization} {self.position}"


class ConflictDeclaration(models.Model):
    """A conflict a cadre declared with an organization (公务回避)."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="conflicts")
    organization = models.ForeignKey(
        Organization, verbose_name=_("回避单位"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("回避事由"), max_length=300)
    declared_at = models.DateTimeField(_("申报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回避申报")
        verbose_name_plural = _("回避申报")
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "organization"], name="one_conflict_per_cadre_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} / {self.organization}"
