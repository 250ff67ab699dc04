package io.miaobu.server.boot;

/** A part of the server with a lifecycle: started in wiring order, stopped in reverse. */
public interface Managed {

    void start() throws Exception;

    void stop() throws Exception;
}
