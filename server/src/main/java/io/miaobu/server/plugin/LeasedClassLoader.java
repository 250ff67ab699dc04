package io.miaobu.server.plugin;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plugin's class loader that running builds can hold on to. PF4J closes a plugin's class loader when it unloads the
 * plugin (an upgrade or an uninstall); a build that started with the old version still has its extension instances,
 * whose not-yet-loaded classes and resources must keep loading from the old jars. So {@link #close()} only takes
 * effect once the last {@linkplain #lease() lease} is {@linkplain #release() released}; what must wait for the real
 * close (deleting the old version's folder) is queued with {@link #whenClosed}.
 */
final class LeasedClassLoader extends PluginClassLoader {

    private static final Logger LOG = LoggerFactory.getLogger(LeasedClassLoader.class);

    private final String pluginId;
    private final String version;
    private final List<Runnable> afterClose = new ArrayList<>();
    private int leases;
    private boolean closeRequested;
    private boolean reallyClosed;

    LeasedClassLoader(PluginManager manager, PluginDescriptor descriptor, ClassLoader parent) {
        super(manager, descriptor, parent);
        this.pluginId = descriptor.getPluginId();
        this.version = descriptor.getVersion();
    }

    String pluginId() {
        return pluginId;
    }

    String version() {
        return version;
    }

    /** Holds the loader open until {@link #release()}; false when it is already on its way out. */
    synchronized boolean lease() {
        if (closeRequested) {
            return false;
        }
        leases++;
        return true;
    }

    /** Gives a lease back; the last one closes a loader whose plugin has been unloaded meanwhile. */
    void release() {
        synchronized (this) {
            if (leases == 0) {
                throw new IllegalStateException("released more leases of " + pluginId + " than were taken");
            }
            leases--;
            if (leases > 0 || !closeRequested || reallyClosed) {
                return;
            }
            reallyClosed = true;
        }
        closeNow();
    }

    synchronized int leases() {
        return leases;
    }

    /** Whether the jars have been closed (not just asked to be). */
    synchronized boolean closedForGood() {
        return reallyClosed;
    }

    /** PF4J calls this when it unloads the plugin: closes at once, or when the last build holding it ends. */
    @Override
    public void close() {
        synchronized (this) {
            closeRequested = true;
            if (leases > 0 || reallyClosed) {
                if (leases > 0) {
                    LOG.info("Plugin {} {} unloaded; its classes stay open for {} running builds", pluginId, version,
                            leases);
                }
                return;
            }
            reallyClosed = true;
        }
        closeNow();
    }

    /** Runs {@code action} once the loader has really closed: now, if it has. */
    void whenClosed(Runnable action) {
        synchronized (this) {
            if (!reallyClosed) {
                afterClose.add(action);
                return;
            }
        }
        action.run();
    }

    private void closeNow() {
        try {
            super.close();
        } catch (IOException e) {
            LOG.warn("Could not close the class loader of plugin {}: {}", pluginId, e.getMessage());
        }
        List<Runnable> actions;
        synchronized (this) {
            actions = List.copyOf(afterClose);
            afterClose.clear();
        }
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.warn("Cleaning up after plugin {} failed: {}", pluginId, e.getMessage());
            }
        }
    }
}
