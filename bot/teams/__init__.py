"""Everything botbuilder: only this package imports it (botbuilder, botframework, msrest).

Inbound, activities become `Turn`s for the dispatcher and invokes are answered (gateway, handler,
wire, auth); outbound, replies, updates and channel threads go to the Bot Connector (outbox,
proactive, connector, transport) and its failures become `bot.sending.errors` (refusals).
"""

from bot.teams.connector import ConnectorClients
from bot.teams.gateway import TeamsGateway

__all__ = ["ConnectorClients", "TeamsGateway"]
