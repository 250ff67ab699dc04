package io.miaobu.server.web;

import java.util.List;

/** A list answer: the items, and whether more exist past the limit asked for. */
public record Listing<T>(List<T> items, boolean hasMore) {
}
