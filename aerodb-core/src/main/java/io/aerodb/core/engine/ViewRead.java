package io.aerodb.core.engine;

/**
 * A read at one view: what the API layer asks of the engine once the node has chosen the view (the
 * applied index after ReadIndex, or after "at least index N"). Runs on a reader thread,
 * concurrently with apply; must only read.
 *
 * @param <T> the typed result (a {@link ReadResult}, a query result, an explain document, ...)
 */
@FunctionalInterface
public interface ViewRead<T> {
  T readAt(Engine engine, long viewIndex);
}
