-- For wrk: each request a path drawn at random from the file given after `--`.
local paths = {}
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  math.randomseed(os.time() + math.random(1000))
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
