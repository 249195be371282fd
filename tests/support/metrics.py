"""Reading `/metrics` back: every sample by name and labels."""

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client, **headers) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.status_code
    return parse(response.get_data(as_text=True))


def value(samples: Samples, name: str, **labels) -> float:
    """One sample's value; 0 for a labelled sample not seen yet (as Prometheus treats it)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels) -> float:
    return value(after, name, **labels) - value(before, name, **labels)
