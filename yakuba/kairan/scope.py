"""Every read of a member goes through here: objects of another association — or of another 班 the
member may not see — answer 404, never 403 (the page does not exist for them)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from yakuba.kairan.models import Circular, Event, Han, Household, Member, Question


def circulars_for(member: Member) -> QuerySet[Circular]:
    """The sent circulars the member may read: the whole association's and their own 班's (officers
    see every circular of the association, drafts included)."""
    qs = Circular.objects.filter(association_id=member.association_id)
    if member.is_officer:
        return qs
    han_id = member.household.han_id
    return qs.filter(sent_at__isnull=False).filter(Q(han__isnull=True) | Q(han=han_id)).distinct()


def circular(member: Member, pk: int) -> Circular:
    found = circulars_for(member).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def household(member: Member, pk: int) -> Household:
    """A household of the association (officers), or of the member's 班 (its 班長)."""
    qs = Household.objects.filter(association_id=member.association_id)
    if not member.is_officer:
        if member.role != Member.Role.HANCHO or member.household.han_id is None:
            raise Http404
        qs = qs.filter(han_id=member.household.han_id)
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def han(member: Member, pk: int) -> Han:
    """A 班 of the association (officers) or the 班長's own."""
    qs = Han.objects.filter(association_id=member.association_id)
    if not member.is_officer:
        if member.role != Member.Role.HANCHO or member.household.han_id is None:
            raise Http404
        qs = qs.filter(pk=member.household.han_id)
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def question(member: Member, pk: int) -> Question:
    found = Question.objects.filter(pk=pk, circular__in=circulars_for(member)).first()
    if found is None:
        raise Http404
    return found


def event(member: Member, pk: int) -> Event:
    found = Event.objects.filter(pk=pk, association_id=member.association_id).first()
    if found is None:
        raise Http404
    return found


def member(officer: Member, pk: int) -> Member:
    found = Member.objects.filter(pk=pk, association_id=officer.association_id).first()
    if found is None or not (officer.is_officer or found.pk == officer.pk):
        raise Http404
    return found
