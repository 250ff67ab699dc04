/** Telling people what happened: {@link io.miaobu.api.notify.Notifier} and the events it receives. */
package io.miaobu.api.notify;
