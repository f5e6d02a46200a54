package dev.usher.servlet;

import dev.usher.core.viewer.ViewerStore;
import dev.usher.core.viewer.jdbc.JdbcViewerStore;

import javax.sql.DataSource;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Clock;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gives a test node the viewer store shared through its database ({@link JdbcViewerStore}) where
 * its runtime still has one of its own memory: a stopgap while {@code UsherAssembly.viewerStore}
 * does not yet choose the JDBC store for a JDBC ticket repository (issue 16; the assembly is not
 * this branch's to change). It swaps the store in every Usher object of the runtime that holds it
 * (the assembly, the guard, the viewer commands of the API). Once the assembly wires it, the
 * runtime's own JDBC store is used as it is and this class is to be deleted.
 */
final class SharedViewers {

    private SharedViewers() {
    }

    /** @return the JDBC viewer store {@code runtime} now uses, flushing on {@code clock} every {@code usher.viewers.flush-interval} */
    static JdbcViewerStore install(UsherRuntime runtime, DataSource db, Clock clock) throws Exception {
        ViewerStore own = storeOf(runtime.guard());
        if (own instanceof JdbcViewerStore shared) {
            return shared;
        }
        var settings = runtime.configuration().viewers();
        JdbcViewerStore shared = JdbcViewerStore.start(db, JdbcViewerStore.Options.of(true).withWindow(settings.window())
                .withFlushInterval(settings.flushInterval()).withRetention(settings.retention()), clock);
        int swapped = swap(runtime, own, shared, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
        assertTrue(swapped >= 3, "the assembly, the guard and the viewer commands hold the store; swapped " + swapped);
        own.close();
        return shared;
    }

    private static ViewerStore storeOf(Object holder) throws IllegalAccessException {
        for (Class<?> c = holder.getClass(); c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (ViewerStore.class.isAssignableFrom(f.getType()) && !Modifier.isStatic(f.getModifiers())) {
                    f.setAccessible(true);
                    return (ViewerStore) f.get(holder);
                }
            }
        }
        throw new IllegalStateException(holder.getClass() + " holds no viewer store");
    }

    /** Replaces {@code old} by {@code replacement} in the fields of Usher's objects reachable from {@code o}. */
    private static int swap(Object o, Object old, Object replacement, Set<Object> seen) throws IllegalAccessException {
        if (o == null || !seen.add(o)) {
            return 0;
        }
        int n = 0;
        if (o instanceof Collection<?> items) {
            for (Object item : items) {
                n += swap(item, old, replacement, seen);
            }
            return n;
        }
        if (o instanceof Map<?, ?> map) {
            for (Object value : map.values()) {
                n += swap(value, old, replacement, seen);
            }
            return n;
        }
        if (!o.getClass().getName().startsWith("dev.usher.")) {
            return 0;
        }
        for (Class<?> c = o.getClass(); c != null && c.getName().startsWith("dev.usher."); c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                    continue;
                }
                f.setAccessible(true);
                Object value = f.get(o);
                if (value == old) {
                    f.set(o, replacement);
                    n++;
                } else {
                    n += swap(value, old, replacement, seen);
                }
            }
        }
        return n;
    }
}
