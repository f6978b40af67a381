"""Map arms, interventions, conditions and the registry's derived MeSH terms."""

from __future__ import annotations

from kg import model
from kg.mapping._emit import Triples
from kg.mapping.arm_links import arm_links
from kg.mapping.condition_mesh import condition_descriptors
from kg.terms import SDO, T, mesh, name_key

__all__ = ["map_conditions", "map_interventions"]

def map_interventions(t: Triples, trial: model.Trial, node: str) -> None:
    """Add interventions and arms, linking each arm to the interventions it receives."""
    nodes: list[str] = []
    mesh_by_key = {name_key(m.term): m.id for m in trial.intervention_mesh}
    for n, iv in enumerate(trial.interventions, 1):
        i = t.mint.part(trial.nct_id, "intervention", n)
        nodes.append(i)
        t.add(node, SDO.studySubject, i)
        t.a(i, T.Intervention)
        t.text(i, SDO.name, iv.name)
        t.text(i, SDO.description, iv.description)
        t.code(i, T.interventionType, iv.type)
        for other in iv.other_names:
            t.text(i, SDO.alternateName, other)
        descriptor = mesh_by_key.get(name_key(iv.name))
        if descriptor:
            t.add(i, SDO.sameAs, mesh(descriptor))
    arm_nodes: list[str] = []
    for n, arm in enumerate(trial.arms, 1):
        a = t.mint.part(trial.nct_id, "arm", n)
        arm_nodes.append(a)
        t.add(node, T.arm, a)
        t.a(a, T.Arm)
        t.text(a, SDO.name, arm.label)
        t.text(a, SDO.description, arm.description)
        t.code(a, T.armType, arm.type)
    # Both sides of the registry's cross-references, by position (kg.mapping.arm_links).
    for k, j in arm_links(trial):
        t.add(arm_nodes[k], T.intervention, nodes[j])
    for term in trial.intervention_mesh:
        _mesh_term(t, node, T.interventionMeshTerm, term)
    for term in trial.intervention_mesh_ancestors:
        _mesh_term(t, node, T.interventionMeshAncestor, term)


def map_conditions(t: Triples, trial: model.Trial, node: str) -> None:
    """Add conditions (shared nodes by name), their descriptors and the derived MeSH terms.

    A condition gets ``tkg:meshDescriptor`` for every descriptor the registry derived from its
    text, and ``schema:sameAs`` for the one it is (kg.mapping.condition_mesh).
    """
    for condition, links in zip(trial.conditions, condition_descriptors(trial), strict=True):
        c = t.mint.condition(condition.name)
        t.add(node, SDO.healthCondition, c)
        t.a(c, SDO.MedicalCondition)
        t.text(c, SDO.name, condition.name)
        for link in links:
            t.add(c, T.meshDescriptor, mesh(link.descriptor))
            if link.exact:
                t.add(c, SDO.sameAs, mesh(link.descriptor))
    for term in trial.condition_mesh:
        _mesh_term(t, node, T.conditionMeshTerm, term)
    for term in trial.condition_mesh_ancestors:
        _mesh_term(t, node, T.conditionMeshAncestor, term)


def _mesh_term(t: Triples, node: str, prop: str, term: model.MeshTerm) -> None:
    descriptor = mesh(term.id)
    t.add(node, prop, descriptor)
    t.text(descriptor, SDO.name, term.term)
