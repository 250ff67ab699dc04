package io.miaobu.server.plugin.testplugins;

import org.pf4j.Plugin;

/** A plugin whose start throws. */
public final class FailingStartPlugin extends Plugin {

    @Override
    public void start() {
        throw new IllegalStateException("this test plugin refuses to start");
    }
}
