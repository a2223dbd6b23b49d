"""The DCAT-AP-SE catalogue as an RDF graph (opendata/catalogue.py serves it). Apart, so
that rdflib is imported only by the process that builds one."""

from __future__ import annotations

from django.db.models import Max
from django.urls import reverse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from opendata import queries
from opendata.catalogue import (
    IANA,
    LICENSE_URI,
    NATIONAL_DISTRIBUTIONS,
    ORGANISATION_DISTRIBUTIONS,
    PAIRS_LICENSE_URI,
)

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")


def catalogue(base_url: str) -> Graph:
    """The DCAT-AP-SE catalogue: a dcat:Catalog with a dcat:Dataset per organisation and
    one for the national pairs, each with a dcat:Distribution per format."""
    from interop.models import ReportedPair
    from opendata.exports import last_modified_of

    base = base_url.rstrip("/")
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dcterms", DCTERMS)
    graph.bind("foaf", FOAF)
    graph.bind("vcard", VCARD)
    organisations = list(queries.organisations())
    catalog = URIRef(base + reverse("dcat") + "#catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    _texts(
        graph,
        catalog,
        DCTERMS.title,
        "Vänort: vänorter och internationella samarbeten",
        "Vänort: twin towns and international partnerships",
    )
    _texts(
        graph,
        catalog,
        DCTERMS.description,
        "Kommunernas register över vänorter och internationella samarbeten, och vänortspar "
        "som andra källor rapporterar, som öppna data.",
        "The municipalities' registers of twin towns and international partnerships, and "
        "twin-town pairs reported by other sources, as open data.",
    )
    graph.add((catalog, DCTERMS.license, URIRef(LICENSE_URI)))
    graph.add(
        (
            catalog,
            DCTERMS.language,
            URIRef("http://publications.europa.eu/resource/authority/language/SWE"),
        )
    )
    graph.add((catalog, FOAF.homepage, URIRef(base + "/")))
    host = organisations[0] if organisations else None
    graph.add((catalog, DCTERMS.publisher, _agent(graph, base, host)))

    for organisation in organisations:
        dataset = URIRef(base + f"/api/organisations/{organisation.slug}#dataset")
        graph.add((catalog, DCAT.dataset, dataset))
        graph.add((dataset, RDF.type, DCAT.Dataset))
        _texts(
            graph,
            dataset,
            DCTERMS.title,
            f"{organisation.name_sv}: vänorter och internationella samarbeten",
            f"{organisation.name_en or organisation.name_sv}: twin towns and partnerships",
        )
        _texts(
            graph,
            dataset,
            DCTERMS.description,
            f"{organisation.name_sv}s publicerade register över vänorter, samarbetsavtal, "
            "beslut och aktiviteter.",
            f"The published register of {organisation.name_en or organisation.name_sv}: "
            "twin towns, cooperation agreements, decisions and activities.",
        )
        graph.add((dataset, DCTERMS.publisher, _agent(graph, base, organisation)))
        graph.add((dataset, DCAT.contactPoint, _contact(graph, organisation)))
        modified = last_modified_of(organisation)
        _dataset_common(graph, dataset, modified)
        graph.add(
            (
                dataset,
                DCAT.landingPage,
                URIRef(base + reverse("public:organisation", args=[organisation.slug])),
            )
        )
        root = base + f"/api/organisations/{organisation.slug}/"
        for name, media_type, file_type, title in ORGANISATION_DISTRIBUTIONS:
            url = (
                base + reverse("api:list_relations") + f"?organisation={organisation.slug}"
                if name == "relations"
                else root + name
            )
            _distribution(graph, dataset, url, media_type, file_type, title, LICENSE_URI, modified)

    national = URIRef(base + "/api/pairs#dataset")
    graph.add((catalog, DCAT.dataset, national))
    graph.add((national, RDF.type, DCAT.Dataset))
    _texts(
        graph,
        national,
        DCTERMS.title,
        "Vänortspar i Sverige och världen (rapporterade)",
        "Twin-town pairs (reported by outside sources)",
    )
    _texts(
        graph,
        national,
        DCTERMS.description,
        "Vänortspar som andra källor rapporterar (Wikipedias bidragsgivare), med orterna.",
        "Twin-town pairs as outside sources report them (Wikipedia contributors), with "
        "their places.",
    )
    graph.add((national, DCTERMS.publisher, _agent(graph, base, host)))
    if host is not None:
        graph.add((national, DCAT.contactPoint, _contact(graph, host)))
    newest_place = queries.places().aggregate(newest=Max("updated_at"))["newest"]
    _dataset_common(graph, national, newest_place)
    graph.add((national, DCTERMS.source, URIRef("https://en.wikipedia.org/wiki/Twin_towns")))
    count = ReportedPair.objects.count()
    graph.add((national, DCTERMS.extent, Literal(f"{count} pairs")))
    for path, media_type, file_type, title in NATIONAL_DISTRIBUTIONS:
        _distribution(
            graph,
            national,
            base + path,
            media_type,
            file_type,
            title,
            PAIRS_LICENSE_URI,
            newest_place,
        )
    return graph


def _texts(graph: Graph, subject, predicate, sv: str, en: str) -> None:
    graph.add((subject, predicate, Literal(sv, lang="sv")))
    graph.add((subject, predicate, Literal(en, lang="en")))


def _agent(graph: Graph, base: str, organisation) -> URIRef:
    if organisation is None:
        agent = URIRef(base + "/#publisher")
        graph.add((agent, RDF.type, FOAF.Agent))
        graph.add((agent, FOAF.name, Literal("Vänort")))
        return agent
    agent = URIRef(base + f"/api/organisations/{organisation.slug}#organisation")
    graph.add((agent, RDF.type, FOAF.Organization))
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, Literal(organisation.name_sv, lang="sv")))
    if organisation.name_en:
        graph.add((agent, FOAF.name, Literal(organisation.name_en, lang="en")))
    if organisation.website:
        graph.add((agent, FOAF.homepage, URIRef(organisation.website)))
    return agent


def _contact(graph: Graph, organisation) -> BNode:
    contact = BNode()
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(organisation.name_sv)))
    if organisation.email:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{organisation.email}")))
    if organisation.phone:
        phone = "".join(ch for ch in organisation.phone if ch.isdigit() or ch == "+")
        graph.add((contact, VCARD.hasTelephone, URIRef(f"tel:{phone}")))
    return contact


def _dataset_common(graph: Graph, dataset, modified) -> None:
    graph.add((dataset, DCAT.theme, THEME.GOVE))  # government and public sector
    graph.add((dataset, DCAT.theme, THEME.INTR))  # international issues
    for word in ("vänort", "twin town", "samarbetsavtal", "kommun"):
        graph.add((dataset, DCAT.keyword, Literal(word)))
    graph.add(
        (
            dataset,
            DCTERMS.accrualPeriodicity,
            URIRef("http://publications.europa.eu/resource/authority/frequency/IRREG"),
        )
    )
    if modified:
        graph.add(
            (
                dataset,
                DCTERMS.modified,
                Literal(modified.replace(microsecond=0), datatype=XSD.dateTime),
            )
        )


def _distribution(graph, dataset, url, media_type, file_type, title, license_uri, modified):
    distribution = URIRef(url + ("&" if "?" in url else "#") + "distribution")
    graph.add((dataset, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCTERMS.title, Literal(title, lang="en")))
    graph.add((distribution, DCAT.accessURL, URIRef(url)))
    graph.add((distribution, DCAT.downloadURL, URIRef(url)))
    graph.add((distribution, DCAT.mediaType, URIRef(IANA + media_type)))
    graph.add((distribution, DCTERMS.format, FILE_TYPE[file_type]))
    graph.add((distribution, DCTERMS.license, URIRef(license_uri)))
    if modified:
        graph.add(
            (
                distribution,
                DCTERMS.modified,
                Literal(modified.replace(microsecond=0), datatype=XSD.dateTime),
            )
        )
