package io.miaobu.server.plugin;

import io.miaobu.api.host.HostInfo;
import io.miaobu.api.host.OutboundHttp;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.pf4j.ExtensionFactory;
import org.pf4j.PluginRuntimeException;

/**
 * Creates each extension class once (extensions are stateless singletons) and fills its constructor with host services
 * only: {@link HostInfo} (for the plugin that owns the class), {@link OutboundHttp} and {@link Clock}. An extension whose
 * constructor asks for anything else fails to load with a message naming the parameter.
 */
final class HostExtensionFactory implements ExtensionFactory {

    private final Function<Class<?>, HostInfo> hostInfoForClass;
    private final OutboundHttp outboundHttp;
    private final Clock clock;
    private final Map<Class<?>, Object> instances = new ConcurrentHashMap<>();

    HostExtensionFactory(Function<Class<?>, HostInfo> hostInfoForClass, OutboundHttp outboundHttp, Clock clock) {
        this.hostInfoForClass = hostInfoForClass;
        this.outboundHttp = outboundHttp;
        this.clock = clock;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T create(Class<T> extensionClass) {
        return (T) instances.computeIfAbsent(extensionClass, this::instantiate);
    }

    /** Forgets the instances of classes loaded by {@code classLoader} (a plugin being stopped). */
    void forget(ClassLoader classLoader) {
        instances.keySet().removeIf(type -> type.getClassLoader() == classLoader);
    }

    private Object instantiate(Class<?> type) {
        try {
            return construct(type);
        } catch (PluginRuntimeException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            // PF4J leaves out an extension whose factory throws this, instead of failing the whole lookup
            throw new PluginRuntimeException(e, "Cannot create extension {}", type.getName());
        }
    }

    private Object construct(Class<?> type) {
        Constructor<?> constructor = Arrays.stream(type.getConstructors())
                .max(Comparator.comparingInt(Constructor::getParameterCount))
                .orElseThrow(() -> new PluginRuntimeException("Extension " + type.getName()
                        + " has no public constructor"));
        Class<?>[] parameterTypes = constructor.getParameterTypes();
        Object[] arguments = new Object[parameterTypes.length];
        for (int i = 0; i < parameterTypes.length; i++) {
            arguments[i] = argumentFor(type, parameterTypes[i]);
        }
        try {
            return constructor.newInstance(arguments);
        } catch (InvocationTargetException e) {
            throw new PluginRuntimeException(e.getCause(), "Extension {} failed in its constructor", type.getName());
        } catch (ReflectiveOperationException e) {
            throw new PluginRuntimeException(e, "Cannot create extension {}", type.getName());
        }
    }

    private Object argumentFor(Class<?> extension, Class<?> parameter) {
        if (parameter == HostInfo.class) {
            return hostInfoForClass.apply(extension);
        }
        if (parameter == OutboundHttp.class) {
            return outboundHttp;
        }
        if (parameter == Clock.class) {
            return clock;
        }
        throw new PluginRuntimeException("Extension " + extension.getName() + " asks for a "
                + parameter.getName() + " in its constructor; extensions may only take HostInfo, OutboundHttp and"
                + " Clock");
    }
}
