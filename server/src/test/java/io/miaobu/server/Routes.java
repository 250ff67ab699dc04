package io.miaobu.server;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Permission;
import jakarta.ws.rs.core.MediaType;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;

/**
 * Every route of the running server's Jersey application, read from Jersey's own resource model: a resource added
 * tomorrow shows up here without anyone listing it.
 */
final class Routes {

    private static final Pattern PARAMETER = Pattern.compile("\\{([A-Za-z0-9_]+)(?::[^}]*)?}");

    /**
     * One route.
     *
     * @param permission what it declares; null when it declares nothing
     */
    record Route(String httpMethod, String pathTemplate, Permission permission, List<MediaType> consumes,
                 List<MediaType> produces, Class<?> resourceClass, Method javaMethod) {

        boolean isApi() {
            return pathTemplate.startsWith("/api/");
        }

        boolean consumesForm() {
            return consumes.stream().anyMatch(MediaType.APPLICATION_FORM_URLENCODED_TYPE::isCompatible);
        }

        boolean consumesJson() {
            return consumes.stream().anyMatch(type -> type.isCompatible(MediaType.APPLICATION_JSON_TYPE)
                    && !type.isWildcardType());
        }

        boolean producesHtml() {
            return produces.stream().anyMatch(type -> type.isCompatible(MediaType.TEXT_HTML_TYPE)
                    && !type.isWildcardType());
        }

        boolean isEventStream() {
            return produces.stream().anyMatch(MediaType.SERVER_SENT_EVENTS_TYPE::equals);
        }

        Set<String> parameters() {
            var names = new LinkedHashSet<String>();
            Matcher matcher = PARAMETER.matcher(pathTemplate);
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
            return names;
        }

        /** The path with every parameter replaced by its value from {@code values}. */
        String path(Map<String, String> values) {
            Matcher matcher = PARAMETER.matcher(pathTemplate);
            var result = new StringBuilder();
            while (matcher.find()) {
                String value = values.get(matcher.group(1));
                if (value == null) {
                    throw new IllegalArgumentException("no value for {" + matcher.group(1) + "} in " + pathTemplate);
                }
                matcher.appendReplacement(result, Matcher.quoteReplacement(value));
            }
            matcher.appendTail(result);
            return result.toString();
        }

        @Override
        public String toString() {
            return httpMethod + " " + pathTemplate;
        }
    }

    private Routes() {
    }

    static List<Route> of(ResourceConfig application) {
        var classes = new LinkedHashSet<Class<?>>();
        application.getInstances().forEach(instance -> classes.add(instance.getClass()));
        classes.addAll(application.getClasses());
        var routes = new ArrayList<Route>();
        for (Class<?> type : classes) {
            if (!Resource.isAcceptable(type) || type.getAnnotation(jakarta.ws.rs.Path.class) == null) {
                continue;
            }
            collect(Resource.from(type), "", type, routes);
        }
        routes.sort(Comparator.comparing(Route::pathTemplate).thenComparing(Route::httpMethod));
        return routes;
    }

    private static void collect(Resource resource, String prefix, Class<?> type, List<Route> routes) {
        String path = join(prefix, resource.getPath());
        for (ResourceMethod method : resource.getResourceMethods()) {
            Method java = method.getInvocable().getDefinitionMethod();
            routes.add(new Route(method.getHttpMethod(), path, AccessFilter.declaredPermission(java, type),
                    method.getConsumedTypes(), method.getProducedTypes(), type, java));
        }
        for (Resource child : resource.getChildResources()) {
            collect(child, path, type, routes);
        }
    }

    private static String join(String prefix, String path) {
        String joined = (prefix + "/" + (path == null ? "" : path)).replaceAll("/+", "/");
        if (joined.length() > 1 && joined.endsWith("/")) {
            joined = joined.substring(0, joined.length() - 1);
        }
        return joined.isEmpty() ? "/" : joined;
    }
}
